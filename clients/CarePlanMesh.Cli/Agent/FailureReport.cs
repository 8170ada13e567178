using System.Text;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Cli.Agent;

/// <summary>
/// The report written beside a refused unit in outbox/failed/: Japanese first, English below, every defect with its file,
/// line, field and what to fix. Values shown are those of the defect list, which masks personal data to its shape.
/// </summary>
public static class FailureReport
{
    public const string FileName = "報告_report.txt";

    public sealed record Reason(string Ja, string En);

    public static string Write(string sender, string recipient, string sendUnit, Reason reason, IReadOnlyList<Defect> defects)
    {
        var errors = defects.Where(d => d.Severity == Severity.Error).ToList();
        var warnings = defects.Where(d => d.Severity == Severity.Warning).ToList();
        var text = new StringBuilder();
        text.AppendLine("この送信単位は送信できませんでした。");
        text.AppendLine($"送信元 {sender} → 送信先 {recipient}　ファイル連番 {sendUnit}");
        text.AppendLine($"理由: {reason.Ja}");
        if (defects.Count > 0)
        {
            text.AppendLine($"不備: エラー {errors.Count} 件、警告 {warnings.Count} 件");
            var n = 0;
            foreach (var d in errors.Concat(warnings))
            {
                text.AppendLine($"{++n}. [{(d.Severity == Severity.Error ? "エラー" : "警告")}] ファイル: {Or(d.File, "（送信単位全体）")}");
                text.AppendLine($"   行: {d.Line?.ToString() ?? "—"}　項目: {Field(d) ?? "—"}{(d.Value is null ? "" : $"　値: {d.Value}")}");
                text.AppendLine($"   内容と直し方: {d.MessageJa}");
            }
        }
        text.AppendLine("直し方: 介護ソフトで不備を直して同じ送信単位をもう一度出力し、送信フォルダ（outbox）に入れてください。");
        text.AppendLine("このフォルダのファイルは送信されていません。");
        text.AppendLine();
        text.AppendLine("----- English -----");
        text.AppendLine("This send unit could not be sent.");
        text.AppendLine($"From {sender} to {recipient}, file serial (連番) {sendUnit}");
        text.AppendLine($"Reason: {reason.En}");
        if (defects.Count > 0)
        {
            text.AppendLine($"Defects: {errors.Count} errors, {warnings.Count} warnings");
            var n = 0;
            foreach (var d in errors.Concat(warnings))
            {
                text.AppendLine($"{++n}. [{(d.Severity == Severity.Error ? "error" : "warning")}] file: {Or(d.File, "(the send unit as a whole)")}");
                text.AppendLine($"   line: {d.Line?.ToString() ?? "-"}  field: {Field(d) ?? "-"}{(d.Value is null ? "" : $"  value: {d.Value}")}");
                text.AppendLine($"   what is wrong and how to fix it: {d.MessageEn}");
            }
        }
        text.AppendLine("To fix: correct the defects in the care software, export the same send unit again and put it into the outbox folder.");
        text.AppendLine("The files in this folder were not sent.");
        return text.ToString();
    }

    static string Or(string value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;

    static string? Field(Defect d) => (d.Column, d.Field) switch
    {
        ({ } column, { } field) => $"No.{column} {field}",
        (null, { } field) => field,
        ({ } column, null) => $"No.{column}",
        _ => null,
    };
}
