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
    /// <summary>The dry run's verdict on a send unit: nothing was stored or sent.</summary>
    /// <param name="Valid">True when no defect is an error: the relay would accept the unit.</param>
    /// <param name="ErrorCount">Defects of severity error.</param>
    /// <param name="WarningCount">Defects of severity warning (they do not refuse the unit).</param>
    /// <param name="Files">Each uploaded file as the relay read it.</param>
    /// <param name="Defects">Every defect of the files and of the send unit, with file, line, field, rule and messages in Japanese and English.</param>
    public sealed record DryRunReport(bool Valid, int ErrorCount, int WarningCount, IReadOnlyList<DryRunFile> Files, IReadOnlyList<Defect> Defects);

    /// <summary>One file of a dry run.</summary>
    /// <param name="Name">The file name as uploaded.</param>
    /// <param name="Kind">The file kind its name gives (e.g. plan6); absent when the name is not one of the standard's.</param>
    /// <param name="Records">Records read.</param>
    /// <param name="Valid">True when none of the file's own defects is an error.</param>
    public sealed record DryRunFile(string Name, string? Kind, int Records, bool Valid);

    public static RouteGroupBuilder MapValidation(this RouteGroupBuilder api)
    {
        api.MapPost("/validate", Validate).Produces<DryRunReport>().DisableAntiforgery().WithRequestTimeout(ServiceDefaultsExtensions.UploadTimeout).WithMetadata(new AuditAction("validation"));
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
        return Results.Json(new DryRunReport(
            report.IsValid && unreadable.Count == 0,
            report.ErrorCount + unreadable.Count,
            report.WarningCount,
            [.. report.Files.Select(f => new DryRunFile(f.File, f.Name?.Layout.Kind, f.RecordCount, f.IsValid))],
            [.. unreadable.Concat(report.Defects)]), DefectReport.JsonOptions);
    }
}
