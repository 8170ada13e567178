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
    /// <summary>A webhook to register (docs/notifications.md).</summary>
    /// <param name="Url">The HTTPS address to post to (http only on loopback, in development).</param>
    /// <param name="Topics">The topics to receive; each must be a known topic.</param>
    public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Topics);

    /// <summary>The office's e-mail preferences, replaced whole.</summary>
    /// <param name="EmailTopics">The topics to receive by e-mail, the whole list (required; [] for none); each must be a known topic.</param>
    /// <param name="Email">A new address for notification e-mails; left as it is when absent.</param>
    public sealed record PreferencesRequest(IReadOnlyList<string>? EmailTopics, string? Email);

    /// <summary>A webhook with its signing secret: the answer to a registration or a rotation, the only time the secret is shown.</summary>
    /// <param name="Id">The webhook's id.</param>
    /// <param name="Url">The address the relay posts to.</param>
    /// <param name="Topics">The topics it receives (docs/notifications.md).</param>
    /// <param name="CreatedAt">When it was registered.</param>
    /// <param name="PreviousSecretExpiresAt">After a rotation: until when the previous secret still signs beside the new one.</param>
    /// <param name="Secret">The signing secret (whsec_…) of Standard Webhooks; keep it, it is not shown again.</param>
    public sealed record WebhookWithSecret(Guid Id, string Url, IReadOnlyList<string> Topics, DateTimeOffset CreatedAt, DateTimeOffset? PreviousSecretExpiresAt, string Secret);

    /// <summary>The office's webhooks, without their secrets.</summary>
    public sealed record WebhookList(IReadOnlyList<WebhookView> Webhooks);

    /// <summary>A test message was queued to the webhook.</summary>
    /// <param name="MessageId">Its webhook-id header, to find it at the receiver.</param>
    public sealed record WebhookTestQueued(string MessageId);

    /// <summary>A page of the office's inbox, newest first.</summary>
    /// <param name="Items">The notifications of this page.</param>
    /// <param name="Next">The path of the next page, keeping the filters (follow it as it is); absent on the last page.</param>
    public sealed record NotificationPage(IReadOnlyList<NotificationItem> Items, string? Next);

    /// <param name="Unread">true: only notifications not yet marked read; false (the default): all.</param>
    /// <param name="Limit">Items per page, 1–200 (default 50).</param>
    /// <param name="Cursor">From the previous page's <c>next</c>; opaque.</param>
    public sealed record InboxQuery(string? Unread, string? Limit, string? Cursor);

    /// <summary>One notification of the office's inbox.</summary>
    /// <param name="Id">The notification's id.</param>
    /// <param name="Topic">The public topic, e.g. delivery.available (docs/notifications.md).</param>
    /// <param name="CreatedAt">When the relay raised it.</param>
    /// <param name="ReadAt">When it was marked read; absent while unread.</param>
    /// <param name="Data">The same object a webhook receives under "data": ids, office numbers, months and links, never personal data.</param>
    public sealed record NotificationItem(Guid Id, string Topic, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, JsonElement Data);

    /// <summary>Where the office's e-mail goes and which topics it wants by e-mail.</summary>
    /// <param name="Email">The address notification e-mails go to; absent when none is set.</param>
    /// <param name="EmailTopics">The topics sent by e-mail as well as to the inbox and webhooks.</param>
    public sealed record EmailPreferences(string? Email, IReadOnlyList<string> EmailTopics);

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
            .Produces<WebhookWithSecret>(StatusCodes.Status201Created).WithMetadata(new AuditAction("webhook-register"));

        api.MapGet("/webhooks", (ClaimsPrincipal user, IRequestClient<ListWebhooks> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<ListWebhooks, WebhookAnswer>(AskedService.Notification, new ListWebhooks { Office = user.Office() }, options, cancellationToken,
                answer => Results.Ok(new WebhookList(answer.Webhooks))))
            .Produces<WebhookList>();

        api.MapDelete("/webhooks/{id:guid}", (Guid id, ClaimsPrincipal user, IRequestClient<DeleteWebhook> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<DeleteWebhook, WebhookAnswer>(AskedService.Notification, new DeleteWebhook { Office = user.Office(), WebhookId = id }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal) : Results.NoContent()))
            .Produces(StatusCodes.Status204NoContent).WithMetadata(new AuditAction("webhook-delete"));

        api.MapPost("/webhooks/{id:guid}/rotate-secret", (Guid id, ClaimsPrincipal user, IRequestClient<RotateWebhookSecret> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<RotateWebhookSecret, WebhookAnswer>(AskedService.Notification, new RotateWebhookSecret { Office = user.Office(), WebhookId = id }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal) : Results.Ok(WithSecret(answer))))
            .Produces<WebhookWithSecret>().WithMetadata(new AuditAction("webhook-rotate-secret"));

        api.MapPost("/webhooks/{id:guid}/test", (Guid id, ClaimsPrincipal user, IRequestClient<TestWebhook> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<TestWebhook, WebhookAnswer>(AskedService.Notification, new TestWebhook { Office = user.Office(), WebhookId = id }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal) : Results.Accepted(null, new WebhookTestQueued(answer.MessageId!))))
            .Produces<WebhookTestQueued>(StatusCodes.Status202Accepted);

        api.MapGet("/notifications", ListInbox).Produces<NotificationPage>();

        api.MapPost("/notifications/{id:guid}/read", (Guid id, ClaimsPrincipal user, IRequestClient<MarkNotificationRead> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<MarkNotificationRead, NotificationAnswer>(AskedService.Notification, new MarkNotificationRead { Office = user.Office(), NotificationId = id }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal) : Results.Ok(Item(answer.Notification!))))
            .Produces<NotificationItem>();

        api.MapGet("/notification-preferences", (ClaimsPrincipal user, IRequestClient<GetNotificationPreferences> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<GetNotificationPreferences, NotificationPreferences>(AskedService.Notification, new GetNotificationPreferences { Office = user.Office() }, options, cancellationToken, Preferences))
            .Produces<EmailPreferences>();

        api.MapPut("/notification-preferences", async (PreferencesRequest body, ClaimsPrincipal user, IRequestClient<SetNotificationPreferences> client, IOptions<IntakeOptions> options,
            CancellationToken cancellationToken) => body.EmailTopics is not { } topics
                // The list replaces the old one: a body without it would unsubscribe the office from every e-mail unasked.
                ? Problems.Of(400, "malformed-request", "Malformed request", "要求の形式が正しくありません",
                    "emailTopics is required: the whole list of topics to receive by e-mail ([] for none).",
                    "emailTopics を指定してください。メールで受け取るトピックの一覧全体です（受け取らない場合は []）。")
                : await client.Ask<SetNotificationPreferences, NotificationPreferences>(AskedService.Notification,
                    new SetNotificationPreferences { Office = user.Office(), EmailTopics = topics, Email = body.Email }, options, cancellationToken, Preferences))
            .Produces<EmailPreferences>().WithMetadata(new AuditAction("notification-preferences"));
        return api;
    }

    /// <summary>The inbox, paged like the other lists (docs/api.md, Paging): notification hands out the cursor, intake the path.</summary>
    static async Task<IResult> ListInbox([AsParameters] InboxQuery query, HttpRequest request, ClaimsPrincipal user, IRequestClient<ListNotifications> client,
        IOptions<IntakeOptions> options, CancellationToken cancellationToken)
    {
        var unreadOnly = false;
        if (query.Unread is { } unread && !bool.TryParse(unread, out unreadOnly))
            return Paging.InvalidQuery("unread", "unread is true or false.", "unread は true か false です。");
        var (limit, badLimit) = Paging.Limit(query.Limit);
        if (badLimit is not null)
            return badLimit;
        // The first version of this list took ?after=; a client still sending it would read the first page forever.
        if (request.Query.ContainsKey("after"))
            return Paging.InvalidQuery("after", "after is not a parameter of this list; follow next, which carries cursor.", "after は使えません。next（cursor を含みます）をそのまま使ってください。");
        return await client.Ask<ListNotifications, NotificationsListed>(AskedService.Notification,
            new ListNotifications { Office = user.Office(), UnreadOnly = unreadOnly, Limit = limit, After = query.Cursor }, options, cancellationToken,
            listed => listed.Refusal switch
            {
                { Reason: "bad-cursor" } => Paging.InvalidCursor(),
                { } refusal => Refused(refusal),
                null => Results.Ok(new NotificationPage([.. listed.Items.Select(Item)], listed.Next is { } cursor ? Paging.NextPage(request, cursor) : null)),
            });
    }

    /// <summary>The webhook with its signing secret: shown only in the answer to a registration or rotation.</summary>
    static WebhookWithSecret WithSecret(WebhookAnswer answer) =>
        new(answer.Webhook!.Id, answer.Webhook.Url, answer.Webhook.Topics, answer.Webhook.CreatedAt, answer.Webhook.PreviousSecretExpiresAt, answer.Secret!);

    static NotificationItem Item(NotificationView view) => new(view.Id, view.Topic, view.CreatedAt, view.ReadAt, JsonDocument.Parse(view.Data).RootElement);

    static IResult Preferences(NotificationPreferences answer) => answer.Refusal is { } refusal
        ? Refused(refusal)
        : Results.Ok(new EmailPreferences(answer.Email, answer.EmailTopics));

    static IResult Refused(Refusal refusal) =>
        Problems.Of(refusal.Status, refusal.Reason, "Refused", "受け付けられません", refusal.ReasonEn, refusal.ReasonJa);
}
