using System.Security.Claims;
using System.Text.Json;
using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.Intake.Audit;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Notifications;

/// <summary>
/// The calling office's webhooks, inbox and e-mail preferences (docs/notifications.md). Notification owns all three;
/// intake asks it over the bus and turns its refusals into problem details.
/// </summary>
public static class NotificationEndpoints
{
    public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Topics);

    public sealed record PreferencesRequest(IReadOnlyList<string>? EmailTopics, string? Email);

    public static void AddRequestClients(IBusRegistrationConfigurator bus)
    {
        var notification = Queues.Address(Queues.NotificationRequests);
        bus.AddRequestClient<RegisterWebhook>(notification);
        bus.AddRequestClient<ListWebhooks>(notification);
        bus.AddRequestClient<DeleteWebhook>(notification);
        bus.AddRequestClient<RotateWebhookSecret>(notification);
        bus.AddRequestClient<TestWebhook>(notification);
        bus.AddRequestClient<ListNotifications>(notification);
        bus.AddRequestClient<MarkNotificationRead>(notification);
        bus.AddRequestClient<GetNotificationPreferences>(notification);
        bus.AddRequestClient<SetNotificationPreferences>(notification);
    }

    public static RouteGroupBuilder MapNotifications(this RouteGroupBuilder api)
    {
        api.MapPost("/webhooks", (WebhookRequest body, ClaimsPrincipal user, IRequestClient<RegisterWebhook> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<RegisterWebhook, WebhookAnswer>(AskedService.Notification, new RegisterWebhook { Office = user.Office(), Url = body.Url ?? "", Topics = body.Topics ?? [] }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal) : Results.Created($"/v1/webhooks/{answer.Webhook!.Id}", WithSecret(answer))))
            .WithMetadata(new AuditAction("webhook-register"));

        api.MapGet("/webhooks", (ClaimsPrincipal user, IRequestClient<ListWebhooks> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<ListWebhooks, WebhookAnswer>(AskedService.Notification, new ListWebhooks { Office = user.Office() }, options, cancellationToken,
                answer => Results.Ok(new { webhooks = answer.Webhooks })));

        api.MapDelete("/webhooks/{id:guid}", (Guid id, ClaimsPrincipal user, IRequestClient<DeleteWebhook> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<DeleteWebhook, WebhookAnswer>(AskedService.Notification, new DeleteWebhook { Office = user.Office(), WebhookId = id }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal) : Results.NoContent()))
            .WithMetadata(new AuditAction("webhook-delete"));

        api.MapPost("/webhooks/{id:guid}/rotate-secret", (Guid id, ClaimsPrincipal user, IRequestClient<RotateWebhookSecret> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<RotateWebhookSecret, WebhookAnswer>(AskedService.Notification, new RotateWebhookSecret { Office = user.Office(), WebhookId = id }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal) : Results.Ok(WithSecret(answer))))
            .WithMetadata(new AuditAction("webhook-rotate-secret"));

        api.MapPost("/webhooks/{id:guid}/test", (Guid id, ClaimsPrincipal user, IRequestClient<TestWebhook> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<TestWebhook, WebhookAnswer>(AskedService.Notification, new TestWebhook { Office = user.Office(), WebhookId = id }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal) : Results.Accepted(null, new { messageId = answer.MessageId })));

        api.MapGet("/notifications", (bool? unread, int? limit, string? after, ClaimsPrincipal user, IRequestClient<ListNotifications> client, IOptions<IntakeOptions> options,
            CancellationToken cancellationToken) =>
            client.Ask<ListNotifications, NotificationsListed>(AskedService.Notification,
                new ListNotifications { Office = user.Office(), UnreadOnly = unread ?? false, Limit = limit ?? 50, After = after }, options, cancellationToken,
                listed => listed.Refusal is { } refusal ? Refused(refusal) : Results.Ok(new { items = listed.Items.Select(Item), next = listed.Next })));

        api.MapPost("/notifications/{id:guid}/read", (Guid id, ClaimsPrincipal user, IRequestClient<MarkNotificationRead> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<MarkNotificationRead, NotificationAnswer>(AskedService.Notification, new MarkNotificationRead { Office = user.Office(), NotificationId = id }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal) : Results.Ok(Item(answer.Notification!))));

        api.MapGet("/notification-preferences", (ClaimsPrincipal user, IRequestClient<GetNotificationPreferences> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<GetNotificationPreferences, NotificationPreferences>(AskedService.Notification, new GetNotificationPreferences { Office = user.Office() }, options, cancellationToken, Preferences));

        api.MapPut("/notification-preferences", (PreferencesRequest body, ClaimsPrincipal user, IRequestClient<SetNotificationPreferences> client, IOptions<IntakeOptions> options,
            CancellationToken cancellationToken) =>
            client.Ask<SetNotificationPreferences, NotificationPreferences>(AskedService.Notification,
                new SetNotificationPreferences { Office = user.Office(), EmailTopics = body.EmailTopics ?? [], Email = body.Email }, options, cancellationToken, Preferences))
            .WithMetadata(new AuditAction("notification-preferences"));
        return api;
    }

    /// <summary>The webhook with its signing secret: shown only in the answer to a registration or rotation.</summary>
    static object WithSecret(WebhookAnswer answer) => new
    {
        id = answer.Webhook!.Id,
        url = answer.Webhook.Url,
        topics = answer.Webhook.Topics,
        createdAt = answer.Webhook.CreatedAt,
        previousSecretExpiresAt = answer.Webhook.PreviousSecretExpiresAt,
        secret = answer.Secret,
    };

    static object Item(NotificationView view) => new
    {
        id = view.Id,
        topic = view.Topic,
        createdAt = view.CreatedAt,
        readAt = view.ReadAt,
        data = JsonDocument.Parse(view.Data).RootElement,
    };

    static IResult Preferences(NotificationPreferences answer) => answer.Refusal is { } refusal
        ? Refused(refusal)
        : Results.Ok(new { email = answer.Email, emailTopics = answer.EmailTopics });

    static IResult Refused(Refusal refusal) =>
        Problems.Of(refusal.Status, refusal.Reason, "Refused", "受け付けられません", refusal.ReasonEn, refusal.ReasonJa);
}
