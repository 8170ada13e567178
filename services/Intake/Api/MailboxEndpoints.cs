using System.Security.Claims;
using CarePlanMesh.Contracts;
using CarePlanMesh.Hosting.MessageData;
using CarePlanMesh.Intake.Submissions;
using MassTransit;

namespace CarePlanMesh.Intake.Api;

public static class MailboxEndpoints
{
    public static RouteGroupBuilder MapMailbox(this RouteGroupBuilder api)
    {
        api.MapGet("/mailbox", List);
        api.MapGet("/mailbox/{id:guid}", Download);
        api.MapPost("/mailbox/{id:guid}/ack", Acknowledge);
        return api;
    }

    static async Task<IResult> List(ClaimsPrincipal user, SubmissionStore store, CancellationToken cancellationToken)
    {
        var items = await store.Mailbox(user.Office(), cancellationToken);
        return Results.Ok(new
        {
            items = items.Select(s => new
            {
                id = s.CorrelationId,
                senderOffice = s.SenderOffice,
                senderServiceType = s.SenderServiceType,
                sendUnit = s.SendUnit,
                serviceMonth = s.ServiceMonth,
                files = s.Files,
                sealedBytes = s.SealedBytes,
                sealedSha256 = s.SealedSha256,
                routedAt = s.Timeline.LastOrDefault(t => t.State == "AwaitingPickup")?.At,
                pickupDeadline = s.Deadline,
                href = $"/v1/mailbox/{s.CorrelationId}",
            }),
        });
    }

    static async Task<IResult> Download(Guid id, ClaimsPrincipal user, SubmissionStore store, PostgresMessageDataRepository payloads, CancellationToken cancellationToken)
    {
        var item = await store.Find(id, cancellationToken);
        if (item is null || item.RecipientOffice != user.Office() || item.CurrentState is not ("AwaitingPickup" or "Acknowledged") || item.SealedPackageAddress is null)
            return Problems.NotFound("delivery", "配信");
        try
        {
            var stream = await payloads.Get(item.SealedPackageAddress, cancellationToken);
            return Results.File(stream, "application/pkcs7-mime", $"{item.SenderOffice}_{item.SendUnit}.p7m");
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
            case "Acknowledged":
                return Results.Ok(new { id, state = item.CurrentState });
            case "AwaitingPickup":
                var endpoint = await send.GetSendEndpoint(Queues.Address(Queues.Submissions));
                await endpoint.Send(new AcknowledgeDelivery { SubmissionId = id, RecipientOffice = office }, cancellationToken);
                return Results.Accepted($"/v1/mailbox/{id}", new { id, state = "Acknowledging" });
            default:
                return Problems.Of(409, "not-acknowledgeable", "This delivery can no longer be acknowledged", "この配信は受領確認できません",
                    $"The delivery is {item.CurrentState}.", $"この配信の状態は {item.CurrentState} です。");
        }
    }
}
