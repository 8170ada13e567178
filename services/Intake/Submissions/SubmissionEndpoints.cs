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
    public sealed record SubmissionAccepted(Guid Id, string State, IReadOnlyList<SubmittedFile> Files);

    /// <summary>A submission's state after a withdrawal, or a delivery's after an acknowledgement.</summary>
    public sealed record StateAnswer(Guid Id, string State);

    public sealed record Failure(string Reason, string? MessageJa, string? MessageEn);

    /// <summary>The sender's view of a submission: its files, how validation and sealing went, and every state it passed.</summary>
    /// <param name="Defects">Every defect of the files, when validation found any.</param>
    public sealed record SubmissionStatus(Guid Id, string State, string SenderOffice, string RecipientOffice, string SendUnit, string? ServiceMonth,
        DateTimeOffset ReceivedAt, IReadOnlyList<SubmittedFile> Files, int? RecordCount, int? ErrorCount, int? WarningCount, long? SealedBytes,
        string? SealedSha256, DateTimeOffset? PickupDeadline, DateTimeOffset? PickedUpAt, Mailbox.MailboxEndpoints.OutOfOrder? OutOfOrder,
        Failure? Failure, IReadOnlyList<Defect>? Defects, IReadOnlyList<TimelineEntry> Timeline);

    public static RouteGroupBuilder MapSubmissions(this RouteGroupBuilder api)
    {
        api.MapPost("/submissions", Submit).DisableAntiforgery().Produces<SubmissionAccepted>(StatusCodes.Status202Accepted)
            .WithMetadata(new AuditAction("submission"), new Idempotency.Idempotent()).WithRequestTimeout(ServiceDefaultsExtensions.UploadTimeout);
        api.MapGet("/submissions/{id:guid}", Get).Produces<SubmissionStatus>();
        api.MapPost("/submissions/{id:guid}/withdraw", Withdraw).Produces<StateAnswer>().WithMetadata(new AuditAction("withdrawal"));
        return api;
    }

    static async Task<IResult> Submit(HttpRequest request, ClaimsPrincipal user, UploadForm form, SubmissionIntake intake, PipelineAdmission admission,
        bool? resend, CancellationToken cancellationToken)
    {
        // Refused before the upload is read: a busy relay spends nothing on a unit it will not take.
        if (admission.Refusal() is { } busy)
            return busy;
        var (uploads, invalid) = await form.Read(request, cancellationToken);
        if (invalid is not null)
            return invalid;
        var (accepted, problem) = await intake.Accept(user.Office(), uploads, resend ?? false, cancellationToken);
        if (problem is not null)
            return problem;
        // The answer to the upload says what happened to it, Received, as it always has; the unit is stored already in its
        // first step (Validating, SubmissionIntake), which GET /v1/submissions/{id} shows with Received first in its timeline.
        return TypedResults.Accepted($"/v1/submissions/{accepted!.CorrelationId}", new SubmissionAccepted(accepted.CorrelationId, SubmissionStates.Received, accepted.Files));
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
        var answer = await withdraw.Answer<WithdrawSubmission, DeliveryAnswer>(new WithdrawSubmission { SubmissionId = id, SenderOffice = user.Office() }, cancellationToken);
        if (answer.Refusal is { Status: 404 })
            return Problems.NotFound("submission", "送信");
        if (answer.Refusal is { } refusal)
            return Problems.Of(refusal.Status, refusal.Reason, "The submission cannot be withdrawn", "この送信は取り下げできません", refusal.ReasonEn, refusal.ReasonJa,
                extensions: new Dictionary<string, object?> { ["state"] = answer.State, ["pickedUpAt"] = answer.PickedUpAt });
        return TypedResults.Ok(new StateAnswer(id, answer.State));
    }

    static SubmissionStatus View(SubmissionState s, IReadOnlyList<Defect>? defects) => new(s.CorrelationId, s.CurrentState, s.SenderOffice, s.RecipientOffice,
        s.SendUnit, s.ServiceMonth, s.ReceivedAt, s.Files, s.RecordCount, s.ErrorCount, s.WarningCount, s.SealedBytes, s.SealedSha256,
        s.CurrentState == SubmissionStates.AwaitingPickup ? s.Deadline : null,
        s.PickedUpAt,
        s.OutOfOrder ? new Mailbox.MailboxEndpoints.OutOfOrder(s.LatestSendUnit) : null,
        s.FailureReason is null ? null : new Failure(s.FailureReason, s.FailureReasonJa, s.FailureReasonEn),
        defects, s.Timeline);
}
