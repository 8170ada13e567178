using CarePlanMesh.Reconciliation;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Reconciliation.Tests;

/// <summary>Generated 予定 / 実績 units of one month (StandardFiles), and their facts as validation extracts them.</summary>
static class Months
{
    public static readonly Pseudonyms Pseudonyms = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>A month's 予定 unit (UPPLAN + UPSIKYU + UPHOSOKU) for the users, every user well within 要介護1's 16,765 units.</summary>
    public static StandardFile[] Plan(string serial = StandardFiles.Serial, params string[] users)
    {
        var plan = StandardFiles.Valid("plan6", StandardFiles.Month, serial, users);
        var table7 = StandardFiles.Valid("table7", StandardFiles.Month, serial, users);
        var supplement = StandardFiles.Valid("supplement", StandardFiles.Month, serial, users).SetAll("careLevel", "21").SetAll("categoryLimitUnits", "16765");
        table7.SetAll("categoryLimitWithinUnits", "").SetAll("categoryLimitExcessUnits", "");
        for (var row = 0; row < table7.Rows.Count; row++)
            if (table7.Get(row, "serviceCode") == "999999")
                table7.Set(row, "categoryLimitWithinUnits", "1100").Set(row, "categoryLimitExcessUnits", "0");
        return [plan, table7, supplement];
    }

    public static StandardFile Actual(string serial = StandardFiles.Serial, params string[] users) => StandardFiles.Valid("actual6", StandardFiles.Month, serial, users);

    public static UnitFacts Facts(params StandardFile[] files)
    {
        Assert.All(files, f => Assert.True(f.Validate().IsValid, string.Join("\n", f.Validate().Defects)));
        return FactExtractor.Extract([.. files.Select(f => f.Pair)], Pseudonyms)!.Facts;
    }

    public static ReconciliationResult Compare(StandardFile[] plan, StandardFile actual, string provider = StandardFiles.Provider)
    {
        var planFacts = Facts(plan);
        return Reconciler.Compare(provider, planFacts.Services, Facts(actual).Services, planFacts.Limits);
    }

    public static string Key(string insured) => Pseudonyms.Of(StandardFiles.Insurer, insured);
}
