using System.Security.Claims;
using CarePlanMesh.Contracts;
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
        api.MapGet("/mailbox", List);
        api.MapGet("/mailbox/{id:guid}", Download).WithMetadata(new AuditAction("download"));
        api.MapPost("/mailbox/{id:guid}/ack", Acknowledge).WithMetadata(new AuditAction("acknowledgement"));
        return api;
    }

    static async Task<IResult> List(ClaimsPrincipal user, SubmissionStore store, CancellationToken cancellationToken)
    {
        var items = await store.Mailbox(user.Office(), cancellationToken);
        return Results.Ok(new
        {
            items = items.Select(i => new
            {
                id = i.Item.CorrelationId,
                senderOffice = i.Item.SenderOffice,
                senderServiceType = i.Item.SenderServiceType,
                sendUnit = i.Item.SendUnit,
                serviceMonth = i.Item.ServiceMonth,
                files = i.Item.Files,
                sealedBytes = i.Item.SealedBytes,
                sealedSha256 = i.Item.SealedSha256,
                routedAt = i.Item.Timeline.LastOrDefault(t => t.State == SubmissionStates.AwaitingPickup)?.At,
                pickupDeadline = i.Item.Deadline,
                pickedUpAt = i.Item.PickedUpAt,
                // Import after this unit: the standard imports one sender's units in ascending 連番 order.
                waitingFor = i.WaitingFor is { } earlier
                    ? new { sendUnit = earlier.SendUnit, state = earlier.CurrentState, id = earlier.CurrentState == SubmissionStates.AwaitingPickup ? earlier.CorrelationId : (Guid?)null }
                    : null,
                outOfOrder = i.Item.OutOfOrder ? new { latestSendUnit = i.Item.LatestSendUnit } : null,
                href = $"/v1/mailbox/{i.Item.CorrelationId}",
            }),
        });
    }

    static async Task<IResult> Download(Guid id, ClaimsPrincipal user, IRequestClient<PickUpDelivery> pickUp, PostgresMessageDataRepository payloads, CancellationToken cancellationToken)
    {
        // The saga records the pickup first, so that a withdrawal racing this download either wins before it or is refused.
        var answer = (await pickUp.GetResponse<DeliveryAnswer>(new PickUpDelivery { SubmissionId = id, RecipientOffice = user.Office() }, cancellationToken)).Message;
        if (answer.Refusal is { Status: 404 })
            return Problems.NotFound("delivery", "配信");
        if (answer.Refusal is { } refusal)
            return Problems.Of(refusal.Status, refusal.Reason, "The delivery cannot be picked up", "この配信は受け取れません", refusal.ReasonEn, refusal.ReasonJa);
        try
        {
            var stream = await payloads.Get(answer.SealedPackage!, cancellationToken);
            return Results.File(stream, "application/pkcs7-mime", $"{id}.p7m");
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
                return Results.Ok(new { id, state = item.CurrentState });
            case SubmissionStates.AwaitingPickup:
                var endpoint = await send.GetSendEndpoint(Queues.Address(Queues.Submissions));
                await endpoint.Send(new AcknowledgeDelivery { SubmissionId = id, RecipientOffice = office }, cancellationToken);
                return Results.Accepted($"/v1/mailbox/{id}", new { id, state = "Acknowledging" });
            default:
                return Problems.Of(409, "not-acknowledgeable", "This delivery can no longer be acknowledged", "この配信は受領確認できません",
                    $"The delivery is {item.CurrentState}.", $"この配信の状態は {item.CurrentState} です。");
        }
    }
}
