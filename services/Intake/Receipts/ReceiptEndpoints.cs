using System.Security.Claims;
using System.Text.Json;
using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.Intake.Submissions;
using CarePlanMesh.Intake.Submissions.StateMachines;
using MassTransit;

namespace CarePlanMesh.Intake.Receipts;

/// <summary>
/// Signed receipts for the sender (issue #4 §5): when the relay received a submission, when it validated it, and when the
/// recipient acknowledged it; the recipient gets the same acknowledgement receipt for the delivery it acknowledged. Each is the relay's CMS signature over a small JSON statement (file names, sizes, SHA-256
/// digests, times), issued once and then served as stored; `openssl cms -verify -CAfile ca.pem` checks it.
/// </summary>
public static class ReceiptEndpoints
{
    public sealed record ReceiptEntry(string Kind, DateTimeOffset At, string Href);

    public sealed record ReceiptList(IReadOnlyList<ReceiptEntry> Receipts);

    public static RouteGroupBuilder MapReceipts(this RouteGroupBuilder api)
    {
        api.MapGet("/submissions/{id:guid}/receipts", List).Produces<ReceiptList>();
        api.MapGet("/submissions/{id:guid}/receipts/{kind:regex(^(received|validated|acknowledged)$)}", Get).Produces<Stream>(StatusCodes.Status200OK, ApiContract.Cms).WithMetadata(new AuditAction("receipt"));
        api.MapGet("/mailbox/{id:guid}/receipt", GetAcknowledged).Produces<Stream>(StatusCodes.Status200OK, ApiContract.Cms).WithMetadata(new AuditAction("receipt"))
            .WithDescription("The relay's signed receipt of the recipient's acknowledgement (the sender's `acknowledged` receipt), for the recipient to keep beside the imported files.");
        return api;
    }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    static async Task<IResult> List(Guid id, ClaimsPrincipal user, SubmissionStore store, CancellationToken cancellationToken)
    {
        if (await store.FindFor(id, user.Office(), cancellationToken) is not { } submission)
            return Problems.NotFound("submission", "送信");
        return TypedResults.Ok(new ReceiptList([.. Issuable(submission)
            .Select(kind => new ReceiptEntry(kind, Moment(submission, kind)!.Value.At, $"/v1/submissions/{id}/receipts/{kind}"))]));
    }

    /// <summary>The kinds of receipt the submission has reached, in the order they happen.</summary>
    public static IEnumerable<string> Issuable(SubmissionState submission) =>
        new[] { ReceiptKinds.Received, ReceiptKinds.Validated, ReceiptKinds.Acknowledged }.Where(kind => Moment(submission, kind) is not null);

    static async Task<IResult> Get(Guid id, string kind, ClaimsPrincipal user, SubmissionStore store, ReceiptStore receipts,
        IRequestClient<SignReceipt> signer, TimeProvider clock, CancellationToken cancellationToken) =>
        await store.FindFor(id, user.Office(), cancellationToken) is { } submission
            ? await Serve(submission, kind, receipts, signer, clock, cancellationToken)
            : Problems.NotFound("submission", "送信");

    static async Task<IResult> GetAcknowledged(Guid id, ClaimsPrincipal user, SubmissionStore store, ReceiptStore receipts,
        IRequestClient<SignReceipt> signer, TimeProvider clock, CancellationToken cancellationToken) =>
        // Only a unit that reached the recipient's mailbox is the recipient's to know of.
        await store.FindReceivedBy(id, user.Office(), cancellationToken) is { } submission && submission.Timeline.Any(t => t.State == SubmissionStates.AwaitingPickup)
            ? await Serve(submission, ReceiptKinds.Acknowledged, receipts, signer, clock, cancellationToken)
            : Problems.NotFound("delivery", "配信");

    /// <summary>The stored receipt, or the relay's signature over the statement now (once), stored for every later call.</summary>
    static async Task<IResult> Serve(SubmissionState submission, string kind, ReceiptStore receipts, IRequestClient<SignReceipt> signer,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var id = submission.CorrelationId;
        if (Moment(submission, kind) is not { } moment)
            return Problems.Of(409, "receipt-not-yet", "No such receipt yet", "この受領証はまだありません",
                $"The submission is {submission.CurrentState}; a '{kind}' receipt exists once that has happened.",
                $"送信の状態は {submission.CurrentState} です。「{kind}」の受領証はその時点に達してから発行されます。");

        var stored = await receipts.Find(id, kind, cancellationToken);
        if (stored is null)
        {
            var issuedAt = clock.GetUtcNow();
            var content = JsonSerializer.SerializeToUtf8Bytes(Statement(submission, kind, moment, issuedAt), Json);
            var cms = (await signer.Answer<SignReceipt, ReceiptSigned>(new SignReceipt { SubmissionId = id, Kind = kind, Content = content }, cancellationToken)).Cms;
            stored = await receipts.Add(id, kind, cms, issuedAt, cancellationToken);
        }
        return Results.File(stored, ApiContract.Cms, $"{id}-{kind}.p7s");
    }

    /// <summary>When the receipt's event happened, and how validation ended; null while it has not happened.</summary>
    static (DateTimeOffset At, string? Outcome)? Moment(SubmissionState s, string kind)
    {
        TimelineEntry? Entry(string state) => s.Timeline.FirstOrDefault(t => t.State == state);
        return kind switch
        {
            ReceiptKinds.Received => (s.ReceivedAt, null),
            // Validation ended when the submission went on to sealing, or was rejected.
            ReceiptKinds.Validated => Entry(SubmissionStates.Sealing) is { } passed ? (passed.At, "passed")
                : Entry(SubmissionStates.Rejected) is { } rejected ? (rejected.At, "rejected") : null,
            ReceiptKinds.Acknowledged => Entry(SubmissionStates.Acknowledged) is { } acknowledged ? (acknowledged.At, null) : null,
            _ => null,
        };
    }

    static object Statement(SubmissionState s, string kind, (DateTimeOffset At, string? Outcome) moment, DateTimeOffset issuedAt) => new
    {
        receipt = kind,
        issuer = "CarePlanMesh relay",
        submissionId = s.CorrelationId,
        senderOffice = s.SenderOffice,
        recipientOffice = s.RecipientOffice,
        sendUnit = s.SendUnit,
        serviceMonth = s.ServiceMonth,
        files = s.Files.Select(f => new { name = f.Name, size = f.Size, sha256 = f.Sha256 }),
        at = moment.At,
        outcome = moment.Outcome,
        errorCount = kind == ReceiptKinds.Validated ? s.ErrorCount : null,
        warningCount = kind == ReceiptKinds.Validated ? s.WarningCount : null,
        sealedSha256 = kind == ReceiptKinds.Acknowledged ? s.SealedSha256 : null,
        issuedAt,
    };
}
