using System.Text.Json;
using CarePlanMesh.Contracts;
using CarePlanMesh.Reconciliation;

namespace CarePlanMesh.Validation.Reconciliation;

/// <summary>
/// The detail report for the care office: which user, which dates and codes, with the line numbers in the 予定 and the 実績.
/// Users are named by 保険者番号 / 被保険者番号 where the 実績 holds them; a user only the 予定 lists is shown by its line
/// in the 予定 (the care office holds that file). Built here only, sealed by crypto, never stored in clear.
/// </summary>
public static class ReconciliationReport
{
    public static byte[] Write(ValidateSubmission command, ExtractedUnit unit, Guid planSubmissionId, ReconciliationResult result, string actualFile)
    {
        object? Who(string key) => unit.Identities.TryGetValue(key, out var identity)
            ? new { insurerNumber = identity.InsurerNumber, insuredNumber = identity.InsuredNumber }
            : null;
        var report = new
        {
            reconciliationId = command.SubmissionId,
            careOffice = command.RecipientOffice,
            providerOffice = command.SenderOffice,
            serviceMonth = unit.Facts.Month,
            planSubmissionId,
            actualSubmissionId = command.SubmissionId,
            actualFile,
            summary = result.Summary,
            differences = result.Differences.Select(d => new
            {
                kind = d.Kind,
                user = Who(d.UserKey),
                userKey = d.UserKey,
                serviceDate = d.ServiceDate,
                planServiceCode = d.PlanServiceCode,
                actualServiceCode = d.ActualServiceCode,
                planLine = d.PlanLine,
                actualLine = d.ActualLine,
                planCount = d.PlanCount,
                actualCount = d.ActualCount,
            }),
            overLimit = result.OverLimit.Select(l => new
            {
                user = Who(l.UserKey),
                userKey = l.UserKey,
                careLevel = l.CareLevel,
                limitUnits = l.LimitUnits,
                plannedUnits = l.SubjectUnits,
                overUnits = l.OverUnits,
                supplementLine = l.Line,
            }),
        };
        return JsonSerializer.SerializeToUtf8Bytes(report, FactsJson.Options);
    }
}
