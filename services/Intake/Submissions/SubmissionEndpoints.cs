using CarePlanMesh.ServiceDefaults;
using System.Security.Claims;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.Intake.Submissions.StateMachines;
using CarePlanMesh.Contracts;
using CarePlanMesh.Standard;
using MassTransit;

namespace CarePlanMesh.Intake.Submissions;

public static class SubmissionEndpoints
{
    public static RouteGroupBuilder MapSubmissions(this RouteGroupBuilder api)
    {
        api.MapPost("/submissions", Submit).DisableAntiforgery().Produces(StatusCodes.Status202Accepted)
            .WithMetadata(new AuditAction("submission"), new Idempotency.Idempotent()).WithRequestTimeout(ServiceDefaultsExtensions.UploadTimeout);
        api.MapGet("/submissions/{id:guid}", Get);
        api.MapPost("/submissions/{id:guid}/withdraw", Withdraw).WithMetadata(new AuditAction("withdrawal"));
        return api;
    }

    static async Task<IResult> Submit(HttpRequest request, ClaimsPrincipal user, UploadForm form, SubmissionIntake intake, bool? resend, CancellationToken cancellationToken)
    {
        var (uploads, invalid) = await form.Read(request, cancellationToken);
        if (invalid is not null)
            return invalid;
        var (accepted, problem) = await intake.Accept(user.Office(), uploads, resend ?? false, cancellationToken);
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
        if (await store.FindFor(id, user.Office(), cancellationToken) is not { } submission)
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

    static async Task<IResult> Withdraw(Guid id, ClaimsPrincipal user, IRequestClient<WithdrawSubmission> withdraw, CancellationToken cancellationToken)
    {
        var answer = (await withdraw.GetResponse<DeliveryAnswer>(new WithdrawSubmission { SubmissionId = id, SenderOffice = user.Office() }, cancellationToken)).Message;
        if (answer.Refusal is { Status: 404 })
            return Problems.NotFound("submission", "送信");
        if (answer.Refusal is { } refusal)
            return Problems.Of(refusal.Status, refusal.Reason, "The submission cannot be withdrawn", "この送信は取り下げできません", refusal.ReasonEn, refusal.ReasonJa,
                extensions: new Dictionary<string, object?> { ["state"] = answer.State, ["pickedUpAt"] = answer.PickedUpAt });
        return Results.Ok(new { id, state = answer.State });
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
        pickupDeadline = s.CurrentState == SubmissionStates.AwaitingPickup ? s.Deadline : null,
        pickedUpAt = s.PickedUpAt,
        outOfOrder = s.OutOfOrder ? new { latestSendUnit = s.LatestSendUnit } : null,
        failure = s.FailureReason is null ? null : new { reason = s.FailureReason, messageJa = s.FailureReasonJa, messageEn = s.FailureReasonEn },
        defects,
        timeline = s.Timeline.Select(t => new { state = t.State, at = t.At }),
    };
}
