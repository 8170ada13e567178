using System.Globalization;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Reconciliation;

/// <summary>A unit's facts and, for the holder of the plaintext only, who each pseudonym stands for.</summary>
public sealed record ExtractedUnit(UnitFacts Facts, IReadOnlyDictionary<string, UserIdentity> Identities);

/// <summary>
/// Reads the reconciliation facts out of a valid send unit while its plaintext is in hand: 予定 (UPPLAN + UPSIKYU +
/// UPHOSOKU), 実績 (UPJSK) and their deletes (DLTPLAN, DLTJSK). Other units carry no facts.
/// </summary>
public static class FactExtractor
{
    const string GrandTotalOffice = "9999999999";
    const string GrandTotalCode = "999999";

    public static ExtractedUnit? Extract(IReadOnlyList<(string Name, byte[] Content)> files, Pseudonyms pseudonyms)
    {
        var parsed = files
            .Select(f => (File: f, Name: StandardFileName.Parse(f.Name, [])))
            .Where(f => f.Name is not null)
            .ToDictionary(f => f.Name!.Layout.Kind, f => (f.File.Content, Name: f.Name!));
        var identities = new Dictionary<string, UserIdentity>(StringComparer.Ordinal);
        string Key(FileLayout layout, string[] row)
        {
            var identity = new UserIdentity(row[layout.IndexOf("insurerNumber")], row[layout.IndexOf("insuredNumber")]);
            var key = pseudonyms.Of(identity.InsurerNumber, identity.InsuredNumber);
            identities[key] = identity;
            return key;
        }

        UnitFacts? facts = null;
        if (parsed.TryGetValue("plan6", out var plan))
        {
            var limits = parsed.TryGetValue("supplement", out var supplement) && parsed.TryGetValue("table7", out var table7)
                ? Limits(supplement.Content, table7.Content, Key)
                : [];
            facts = new UnitFacts { Kind = FactKinds.Plan, Month = plan.Name.Month!, Services = Services(plan.Content, "plan6", Key), Limits = limits };
        }
        else if (parsed.TryGetValue("actual6", out var actual))
            facts = new UnitFacts { Kind = FactKinds.Actual, Month = actual.Name.Month!, Services = Services(actual.Content, "actual6", Key) };
        else if (parsed.TryGetValue("plan6Delete", out var planDelete))
            facts = Deleted(FactKinds.PlanDelete, planDelete.Name, planDelete.Content, Key);
        else if (parsed.TryGetValue("actual6Delete", out var actualDelete))
            facts = Deleted(FactKinds.ActualDelete, actualDelete.Name, actualDelete.Content, Key);
        return facts is null ? null : new ExtractedUnit(facts, identities);
    }

    /// <summary>The user limits of a 予定 unit, for the over-limit warning and the comparison.</summary>
    public static IReadOnlyList<UserLimit> Limits(byte[] supplement, byte[] table7, Func<FileLayout, string[], string> key)
    {
        var totals = new Dictionary<string, (int Subject, int Excess, bool GrandTotal)>(StringComparer.Ordinal);
        var layout7 = FileLayouts.ByKind("table7")!;
        var (office, code, within, excess) = (layout7.IndexOf("providerOfficeNumber"), layout7.IndexOf("serviceCode"),
            layout7.IndexOf("categoryLimitWithinUnits"), layout7.IndexOf("categoryLimitExcessUnits"));
        foreach (var (row, _) in Rows(table7, layout7))
        {
            var user = key(layout7, row);
            var units = (Subject: Int(row[within]) + Int(row[excess]), Excess: Int(row[excess]));
            totals.TryGetValue(user, out var sum);
            if (row[office] == GrandTotalOffice && row[code] == GrandTotalCode)
                totals[user] = (units.Subject, units.Excess, true);
            else if (!sum.GrandTotal && !IsSubtotal(row[code]))
                totals[user] = (sum.Subject + units.Subject, sum.Excess + units.Excess, false);
        }

        var layout = FileLayouts.ByKind("supplement")!;
        var (level, limit) = (layout.IndexOf("careLevel"), layout.IndexOf("categoryLimitUnits"));
        var limits = new List<UserLimit>();
        foreach (var (row, line) in Rows(supplement, layout))
        {
            var user = key(layout, row);
            totals.TryGetValue(user, out var total);
            limits.Add(new UserLimit(user, row[level], Int(row[limit]), total.Subject, total.Excess, line));
        }
        return limits;
    }

    static bool IsSubtotal(string code) => code.EndsWith("AAAA", StringComparison.Ordinal) || code.EndsWith("EEEE", StringComparison.Ordinal)
        || code.EndsWith("ZZZZ", StringComparison.Ordinal) || code == GrandTotalCode;

    static List<ServiceFact> Services(byte[] content, string kind, Func<FileLayout, string[], string> key)
    {
        var layout = FileLayouts.ByKind(kind)!;
        int I(string name) => layout.IndexOf(name);
        var (provider, code, date, start, end, units, count) =
            (I("providerOfficeNumber"), I("serviceCode"), I("serviceDate"), I("startTime"), I("endTime"), I("units"), I("count"));
        var facts = new List<ServiceFact>();
        foreach (var (row, line) in Rows(content, layout))
            facts.Add(new ServiceFact(key(layout, row), row[provider], row[code], row[date], row[start], row[end], Int(row[units]), Int(row[count]), line));
        return facts;
    }

    static UnitFacts Deleted(string kind, StandardFileName name, byte[] content, Func<FileLayout, string[], string> key) => new()
    {
        Kind = kind,
        Month = name.Month!,
        DeletedUsers = [.. Rows(content, name.Layout).Select(r => key(name.Layout, r.Row)).Distinct()],
    };

    static int Int(string value) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 0;

    /// <summary>The records of a valid file with the line each starts on; blank lines are skipped as validation does.</summary>
    static IEnumerable<(string[] Row, int Line)> Rows(byte[] content, FileLayout layout) => StandardRecords.Read(content, layout);
}
