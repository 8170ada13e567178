using CarePlanMesh.ServiceDefaults;
using System.Security.Claims;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.Reconciliation;
using CarePlanMesh.Standard;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>
/// POST /v1/validate: the dry run vendors use before sending. Same multipart shape and limits as a submission, the
/// same validation library and over-limit check as the validation service; nothing is stored and nothing is sent.
/// </summary>
public static class ValidateEndpoints
{
    public static RouteGroupBuilder MapValidation(this RouteGroupBuilder api)
    {
        api.MapPost("/validate", Validate).DisableAntiforgery().WithRequestTimeout(ServiceDefaultsExtensions.UploadTimeout).WithMetadata(new AuditAction("validation"));
        return api;
    }

    static async Task<IResult> Validate(HttpRequest request, ClaimsPrincipal user, UploadForm form, IOptions<ValidationPolicy> policy, CancellationToken cancellationToken)
    {
        var (uploads, invalid) = await form.Read(request, cancellationToken);
        if (invalid is not null)
            return invalid;
        var unreadable = new List<Defect>();
        var (plain, _) = SubmissionIntake.Unwrap(uploads, unreadable);
        IReadOnlyList<(string Name, byte[] Content)> files = [.. plain.Select(u => (u.FileName, u.Content))];
        // The validation service's over-limit check too, so the care manager sees the warning before sending.
        var report = OverLimitCheck.AddTo(StandardValidator.Validate(files, user.Office(), policy.Value), files);
        return Results.Json(new
        {
            valid = report.IsValid && unreadable.Count == 0,
            errorCount = report.ErrorCount + unreadable.Count,
            warningCount = report.WarningCount,
            files = report.Files.Select(f => new { name = f.File, kind = f.Name?.Layout.Kind, records = f.RecordCount, valid = f.IsValid }),
            defects = unreadable.Concat(report.Defects),
        }, DefectReport.JsonOptions);
    }
}
