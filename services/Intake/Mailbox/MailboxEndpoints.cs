using System.Security.Claims;
using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.Intake.Submissions;
using CarePlanMesh.Intake.Submissions.StateMachines;
using MassTransit;

namespace CarePlanMesh.Intake.Mailbox;

public static class MailboxEndpoints
{
    public static RouteGroupBuilder MapMailbox(this RouteGroupBuilder api)
    {
        api.MapGet("/mailbox", List).Produces<Page<MailboxItem>>();
        api.MapGet("/mailbox/{id:guid}", Download).Produces<Stream>(StatusCodes.Status200OK, ApiContract.Cms).WithMetadata(new AuditAction("download"));
        api.MapPost("/mailbox/{id:guid}/ack", Acknowledge).Produces<SubmissionEndpoints.StateAnswer>().Produces<SubmissionEndpoints.StateAnswer>(StatusCodes.Status202Accepted).WithMetadata(new AuditAction("acknowledgement"));
        return api;
    }

    /// <param name="State">awaiting (default): waiting for pickup; acknowledged; all: also expired unpicked.</param>
    /// <param name="SenderOffice">10-digit office number of the sender.</param>
    /// <param name="ServiceMonth">yyyyMM.</param>
    /// <param name="Limit">Items per page, 1–200 (default 50).</param>
    /// <param name="Cursor">From the previous page's <c>next</c>; opaque.</param>
    public sealed record Query(string? State, string? SenderOffice, string? ServiceMonth, string? Limit, string? Cursor);

    /// <summary>The earlier unit from the same sender to import first; its id only while it is in the mailbox.</summary>
    public sealed record WaitingFor(string SendUnit, string State, Guid? Id);

    public sealed record OutOfOrder(string? LatestSendUnit);

    public sealed record MailboxItem(Guid Id, string State, string SenderOffice, string? SenderServiceType, string SendUnit, string? ServiceMonth,
        IReadOnlyList<SubmittedFile> Files, long? SealedBytes, string? SealedSha256, DateTimeOffset? RoutedAt, DateTimeOffset? PickupDeadline,
        DateTimeOffset? PickedUpAt, DateTimeOffset? AcknowledgedAt, WaitingFor? WaitingFor, OutOfOrder? OutOfOrder, string Href);

    /// <summary>
    /// Awaiting items per sender in ascending 連番 (the standard's import order), each marked with what it waits for;
    /// acknowledged and all newest first, for as long as the metadata is kept (Retention:Metadata).
    /// </summary>
    static async Task<IResult> List([AsParameters] Query query, HttpRequest request, ClaimsPrincipal user, SubmissionStore store, CancellationToken cancellationToken)
    {
        MailboxView? view = query.State switch
        {
            null or "awaiting" => MailboxView.Awaiting,
            "acknowledged" => MailboxView.Acknowledged,
            "all" => MailboxView.All,
            _ => null,
        };
        if (view is not { } shown)
            return Paging.InvalidQuery("state", "state is awaiting, acknowledged or all.", "state は awaiting、acknowledged、all のいずれかです。");
        if (Paging.ServiceMonth(query.ServiceMonth) is { } badMonth)
            return badMonth;
        var (limit, badLimit) = Paging.Limit(query.Limit);
        if (badLimit is not null)
            return badLimit;
        var keyParts = shown == MailboxView.Awaiting ? 4 : 2;
        string[]? after = null;
        if (query.Cursor is { } cursor
            && ((after = Paging.Decode(cursor, keyParts)) is null || Paging.FromMicroseconds(after[^2]) is null || !Guid.TryParse(after[^1], out _)))
            return Paging.InvalidCursor();

        var (items, more) = await store.ListReceived(user.Office(), shown, query.SenderOffice, query.ServiceMonth, after, limit, cancellationToken);
        string? next = null;
        if (more)
        {
            var (last, at) = (items[^1].Item, Paging.Microseconds(items[^1].StoredReceivedAt));
            next = Paging.NextPage(request, shown == MailboxView.Awaiting
                ? Paging.Encode(last.SenderOffice, last.SendUnit, at, last.CorrelationId.ToString())
                : Paging.Encode(at, last.CorrelationId.ToString()));
        }
        return TypedResults.Ok(new Page<MailboxItem>(items.Select(View).ToList(), next));
    }

    static MailboxItem View(Listed listed)
    {
        var item = listed.Item;
        return new MailboxItem(item.CorrelationId, item.CurrentState, item.SenderOffice, item.SenderServiceType, item.SendUnit, item.ServiceMonth, item.Files,
            item.SealedBytes, item.SealedSha256,
            item.Timeline.LastOrDefault(t => t.State == SubmissionStates.AwaitingPickup)?.At,
            item.CurrentState == SubmissionStates.AwaitingPickup ? item.Deadline : null,
            item.PickedUpAt,
            item.Timeline.LastOrDefault(t => t.State == SubmissionStates.Acknowledged)?.At,
            // Import after this unit: the standard imports one sender's units in ascending 連番 order.
            listed.WaitingFor is { } earlier
                ? new WaitingFor(earlier.SendUnit, earlier.CurrentState, earlier.CurrentState == SubmissionStates.AwaitingPickup ? earlier.CorrelationId : null)
                : null,
            item.OutOfOrder ? new OutOfOrder(item.LatestSendUnit) : null,
            $"/v1/mailbox/{item.CorrelationId}");
    }

    static async Task<IResult> Download(Guid id, ClaimsPrincipal user, IRequestClient<PickUpDelivery> pickUp, PostgresMessageDataRepository payloads, CancellationToken cancellationToken)
    {
        // The saga records the pickup first, so that a withdrawal racing this download either wins before it or is refused.
        var answer = await pickUp.Answer<PickUpDelivery, DeliveryAnswer>(new PickUpDelivery { SubmissionId = id, RecipientOffice = user.Office() }, cancellationToken);
        if (answer.Refusal is { Status: 404 })
            return Problems.NotFound("delivery", "配信");
        if (answer.Refusal is { } refusal)
            return Problems.Of(refusal.Status, refusal.Reason, "The delivery cannot be picked up", "この配信は受け取れません", refusal.ReasonEn, refusal.ReasonJa);
        // The download is the recipient's own trace, like its acknowledgement; a link leads to the submission's trace.
        StoredTraces.Link(answer.TraceParent);
        try
        {
            var stream = await payloads.Get(answer.SealedPackage!, cancellationToken);
            return Results.File(stream, ApiContract.Cms, $"{id}.p7m");
        }
        catch (MessageDataNotFoundException)
        {
            return Problems.Of(410, "purged", "The package was purged", "パッケージは保存期間を過ぎて削除されました",
                "The sealed package is past its retention period.", "暗号化パッケージは保存期間を過ぎたため削除されました。");
        }
    }

    static async Task<IResult> Acknowledge(Guid id, ClaimsPrincipal user, SubmissionStore store, ISendEndpointProvider send, CancellationToken cancellationToken)
    {
        var office = user.Office();
        var item = await store.Find(id, cancellationToken);
        if (item is null || item.RecipientOffice != office || item.SealedPackageAddress is null)
            return Problems.NotFound("delivery", "配信");
        switch (item.CurrentState)
        {
            case SubmissionStates.Acknowledged:
                return TypedResults.Ok(new SubmissionEndpoints.StateAnswer(id, item.CurrentState));
            case SubmissionStates.AwaitingPickup:
                // The recipient's acknowledgement is a trace of its own (its client's); a link leads to the submission's trace.
                StoredTraces.Link(item.TraceParent);
                var endpoint = await send.GetSendEndpoint(Queues.Address(Queues.Submissions));
                await endpoint.Send(new AcknowledgeDelivery { SubmissionId = id, RecipientOffice = office }, cancellationToken);
                return TypedResults.Accepted($"/v1/mailbox/{id}", new SubmissionEndpoints.StateAnswer(id, "Acknowledging"));
            default:
                return Problems.Of(409, "not-acknowledgeable", "This delivery can no longer be acknowledged", "この配信は受領確認できません",
                    $"The delivery is {item.CurrentState}.", $"この配信の状態は {item.CurrentState} です。");
        }
    }
}
