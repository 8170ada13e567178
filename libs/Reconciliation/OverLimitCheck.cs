using CarePlanMesh.Standard;

namespace CarePlanMesh.Reconciliation;

/// <summary>
/// The over-limit warning (<c>reconciliation.over-limit</c>): a user whom a 予定 unit plans above their 区分支給限度基準額,
/// on the user's 補足 line. The one check behind both the validation service (every 予定 unit it validates) and intake's
/// dry run POST /v1/validate, so the care manager sees the warning before sending.
/// </summary>
public static class OverLimitCheck
{
    public const string Rule = "reconciliation.over-limit";

    /// <summary>
    /// The report with the warnings added as send-unit defects, so that its counts and rule ids include them; unchanged
    /// for a unit with errors or one that is not a 予定 with its 第7表 and 補足.
    /// </summary>
    public static ValidationReport AddTo(ValidationReport report, IReadOnlyList<(string Name, byte[] Content)> files)
    {
        if (!report.IsValid)
            return report;
        string? FileOf(string kind) => report.Files.FirstOrDefault(f => f.Name?.Layout.Kind == kind)?.File;
        if (FileOf("plan6") is null || FileOf("table7") is not { } table7 || FileOf("supplement") is not { } supplement)
            return report;
        byte[] Content(string name) => files.First(f => f.Name == name).Content;

        // Users are told apart by insurer and insured number in memory only: nothing of them leaves this call.
        var limits = FactExtractor.Limits(Content(supplement), Content(table7),
            (layout, row) => $"{row[layout.IndexOf("insurerNumber")]}:{row[layout.IndexOf("insuredNumber")]}");
        var limitField = FileLayouts.ByKind("supplement")!.Fields.Single(f => f.EnName == "categoryLimitUnits");
        var warnings = Reconciler.OverLimit(limits).Select(l => Defect.Warning(supplement, Rule,
            $"{l.Line}行目の利用者: 区分支給限度基準額{l.LimitUnits}単位に対し、第7表の区分支給限度対象の単位数が{l.SubjectUnits}単位です（{l.OverUnits}単位超過）。",
            $"Line {l.Line}: the user's plan counts {l.SubjectUnits} units against a category limit of {l.LimitUnits} ({l.OverUnits} over).",
            line: l.Line, column: limitField.No, field: limitField.JaName));
        return report with { SendUnitDefects = [.. report.SendUnitDefects, .. warnings] };
    }
}
