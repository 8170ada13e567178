namespace CarePlanMesh.Reconciliation;

public enum DifferenceKind
{
    /// <summary>A planned row with no delivered row on its date.</summary>
    NotDelivered,
    /// <summary>A delivered row with no planned row on its date.</summary>
    NotPlanned,
    /// <summary>Planned and delivered on the same date under different service codes.</summary>
    DifferentServiceCode,
    /// <summary>The same date and service code, but different start/end times or units.</summary>
    DifferentTimesOrUnits,
    /// <summary>Per service code, the counts of the rows that otherwise match differ.</summary>
    DifferentCounts,
    /// <summary>A user in the 実績 whom the plan does not list for this provider.</summary>
    UserWithoutPlan,
}

/// <summary>One difference, pseudonymous: lines point into the 予定 and 実績 files the care office holds.</summary>
public sealed record Difference(
    string UserKey,
    DifferenceKind Kind,
    string? ServiceDate = null,
    string? PlanServiceCode = null,
    string? ActualServiceCode = null,
    int? PlanLine = null,
    int? ActualLine = null,
    int? PlanCount = null,
    int? ActualCount = null);

/// <summary>Counts only: what billing-reconciliation keeps and shows.</summary>
public sealed record ReconciliationSummary(
    int UsersCompared,
    int UsersMatched,
    int UsersWithDifferences,
    IReadOnlyDictionary<DifferenceKind, int> Differences,
    int UsersOverLimit);

public sealed record ReconciliationResult(ReconciliationSummary Summary, IReadOnlyList<Difference> Differences, IReadOnlyList<UserLimit> OverLimit);

/// <summary>
/// Compares one provider's 実績 with the rows of that provider in the care office's 予定 (spec: 予定 lists every
/// provider of the user), user by user and date by date, and checks the users' 区分支給限度. Linear in the rows.
/// </summary>
public static class Reconciler
{
    public static ReconciliationResult Compare(string provider, IEnumerable<ServiceFact> plan, IEnumerable<ServiceFact> actual, IEnumerable<UserLimit> limits)
    {
        var planned = plan.Where(f => f.ProviderOffice == provider).GroupBy(f => f.UserKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var delivered = actual.GroupBy(f => f.UserKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var differences = new List<Difference>();
        var users = planned.Keys.Union(delivered.Keys, StringComparer.Ordinal).ToList();
        var usersWithDifferences = 0;
        foreach (var user in users)
        {
            var before = differences.Count;
            if (!planned.TryGetValue(user, out var userPlan))
                differences.Add(new Difference(user, DifferenceKind.UserWithoutPlan, ActualLine: delivered[user].Min(f => f.Line)));
            else
                CompareUser(user, userPlan, delivered.GetValueOrDefault(user) ?? [], differences);
            if (differences.Count > before)
                usersWithDifferences++;
        }

        var compared = new HashSet<string>(users, StringComparer.Ordinal);
        var overLimit = limits.Where(l => l.OverUnits > 0 && compared.Contains(l.UserKey)).DistinctBy(l => l.UserKey).ToList();
        var byKind = Enum.GetValues<DifferenceKind>().ToDictionary(k => k, k => differences.Count(d => d.Kind == k));
        var summary = new ReconciliationSummary(users.Count, users.Count - usersWithDifferences, usersWithDifferences, byKind, overLimit.Count);
        return new ReconciliationResult(summary, differences, overLimit);
    }

    /// <summary>Users over their limit in a 予定 unit, for the validation warning.</summary>
    public static IReadOnlyList<UserLimit> OverLimit(IEnumerable<UserLimit> limits) => [.. limits.Where(l => l.OverUnits > 0)];

    static void CompareUser(string user, List<ServiceFact> plan, List<ServiceFact> actual, List<Difference> differences)
    {
        var actualByDate = actual.GroupBy(f => f.ServiceDate, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var counts = new Dictionary<string, (int Plan, int Actual, int PlanLine, int ActualLine)>(StringComparer.Ordinal);
        foreach (var day in plan.GroupBy(f => f.ServiceDate, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var planned = day.ToList();
            var delivered = actualByDate.Remove(day.Key, out var rows) ? rows : [];
            // Exact rows first, then the same code at other times or units, then whatever is left on that day.
            Pair(planned, delivered, (p, a) => p.ServiceCode == a.ServiceCode && p.StartTime == a.StartTime && p.EndTime == a.EndTime && p.Units == a.Units, (p, a) =>
            {
                counts.TryGetValue(p.ServiceCode, out var c);
                counts[p.ServiceCode] = (c.Plan + p.Count, c.Actual + a.Count, c.PlanLine == 0 ? p.Line : c.PlanLine, c.ActualLine == 0 ? a.Line : c.ActualLine);
            });
            Pair(planned, delivered, (p, a) => p.ServiceCode == a.ServiceCode, (p, a) =>
                differences.Add(new Difference(user, DifferenceKind.DifferentTimesOrUnits, p.ServiceDate, p.ServiceCode, a.ServiceCode, p.Line, a.Line)));
            Pair(planned, delivered, (_, _) => true, (p, a) =>
                differences.Add(new Difference(user, DifferenceKind.DifferentServiceCode, p.ServiceDate, p.ServiceCode, a.ServiceCode, p.Line, a.Line)));
            foreach (var p in planned)
                differences.Add(new Difference(user, DifferenceKind.NotDelivered, p.ServiceDate, p.ServiceCode, PlanLine: p.Line, PlanCount: p.Count));
            foreach (var a in delivered)
                differences.Add(new Difference(user, DifferenceKind.NotPlanned, a.ServiceDate, ActualServiceCode: a.ServiceCode, ActualLine: a.Line, ActualCount: a.Count));
        }
        foreach (var a in actualByDate.Values.SelectMany(r => r).OrderBy(a => a.Line))
            differences.Add(new Difference(user, DifferenceKind.NotPlanned, a.ServiceDate, ActualServiceCode: a.ServiceCode, ActualLine: a.Line, ActualCount: a.Count));
        foreach (var (code, c) in counts.Where(c => c.Value.Plan != c.Value.Actual).OrderBy(c => c.Key, StringComparer.Ordinal))
            differences.Add(new Difference(user, DifferenceKind.DifferentCounts, null, code, code, c.PlanLine, c.ActualLine, c.Plan, c.Actual));
    }

    /// <summary>Removes every pair that matches from both lists, in file order, and hands it on.</summary>
    static void Pair(List<ServiceFact> planned, List<ServiceFact> delivered, Func<ServiceFact, ServiceFact, bool> matches, Action<ServiceFact, ServiceFact> paired)
    {
        for (var i = 0; i < planned.Count;)
        {
            var j = delivered.FindIndex(a => matches(planned[i], a));
            if (j < 0)
            {
                i++;
                continue;
            }
            paired(planned[i], delivered[j]);
            planned.RemoveAt(i);
            delivered.RemoveAt(j);
        }
    }
}
