using System.Security.Claims;
using CarePlanMesh.Hosting.MessageData;
using CarePlanMesh.Intake.StateMachines;
using CarePlanMesh.Intake.Submissions;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Intake.Api;

public static class SubmissionEndpoints
{
    public static RouteGroupBuilder MapSubmissions(this RouteGroupBuilder api)
    {
        api.MapPost("/submissions", Submit).DisableAntiforgery();
        api.MapGet("/submissions/{id:guid}", Get);
        return api;
    }

    static async Task<IResult> Submit(HttpRequest request, ClaimsPrincipal user, UploadForm form, SubmissionIntake intake, CancellationToken cancellationToken)
    {
        var (uploads, invalid) = await form.Read(request, cancellationToken);
        if (invalid is not null)
            return invalid;
        var (accepted, problem) = await intake.Accept(user.Office(), uploads, cancellationToken);
        if (problem is not null)
            return problem;
        return Results.Accepted($"/v1/submissions/{accepted!.CorrelationId}", new
        {
            id = accepted.CorrelationId,
            state = accepted.CurrentState,
            files = accepted.Files,
        });
    }

    static async Task<IResult> Get(Guid id, ClaimsPrincipal user, SubmissionStore store, PostgresMessageDataRepository payloads, CancellationToken cancellationToken)
    {
        var submission = await store.Find(id, cancellationToken);
        if (submission is null || submission.SenderOffice != user.Office())
            return Problems.NotFound("submission", "送信");

        IReadOnlyList<Defect>? defects = null;
        if (submission.DefectReportAddress is { } report)
        {
            await using var stream = await payloads.Get(report, cancellationToken);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            defects = DefectReport.Deserialize(buffer.ToArray());
        }
        return Results.Json(View(submission, defects), DefectReport.JsonOptions);
    }

    static object View(SubmissionState s, IReadOnlyList<Defect>? defects) => new
    {
        id = s.CorrelationId,
        state = s.CurrentState,
        senderOffice = s.SenderOffice,
        recipientOffice = s.RecipientOffice,
        sendUnit = s.SendUnit,
        serviceMonth = s.ServiceMonth,
        receivedAt = s.ReceivedAt,
        files = s.Files,
        recordCount = s.RecordCount,
        errorCount = s.ErrorCount,
        warningCount = s.WarningCount,
        sealedBytes = s.SealedBytes,
        sealedSha256 = s.SealedSha256,
        pickupDeadline = s.CurrentState == "AwaitingPickup" ? s.Deadline : null,
        failure = s.FailureReason is null ? null : new { reason = s.FailureReason, messageJa = s.FailureReasonJa, messageEn = s.FailureReasonEn },
        defects,
        timeline = s.Timeline.Select(t => new { state = t.State, at = t.At }),
    };
}
