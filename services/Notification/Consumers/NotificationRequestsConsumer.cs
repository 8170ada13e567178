using CarePlanMesh.Contracts;
using CarePlanMesh.Notification.Notifications;
using CarePlanMesh.Notification.Webhooks;
using MassTransit;

namespace CarePlanMesh.Notification.Consumers;

/// <summary>Answers intake's API requests about an office's webhooks, inbox and preferences; the office is always the caller's own.</summary>
public sealed class NotificationRequestsConsumer(WebhookStore webhooks, Inbox inbox, Preferences preferences) :
    IConsumer<RegisterWebhook>, IConsumer<ListWebhooks>, IConsumer<DeleteWebhook>, IConsumer<RotateWebhookSecret>, IConsumer<TestWebhook>,
    IConsumer<ListNotifications>, IConsumer<MarkNotificationRead>, IConsumer<GetNotificationPreferences>, IConsumer<SetNotificationPreferences>
{
    public async Task Consume(ConsumeContext<RegisterWebhook> context) =>
        await context.RespondAsync(await webhooks.Register(context.Message, context.CancellationToken));

    public async Task Consume(ConsumeContext<ListWebhooks> context) =>
        await context.RespondAsync(new WebhookAnswer { Webhooks = await webhooks.List(context.Message.Office, context.CancellationToken) });

    public async Task Consume(ConsumeContext<DeleteWebhook> context) =>
        await context.RespondAsync(await webhooks.Delete(context.Message.Office, context.Message.WebhookId, context.CancellationToken)
            ? new WebhookAnswer()
            : new WebhookAnswer { Refusal = WebhookStore.NotFound });

    public async Task Consume(ConsumeContext<RotateWebhookSecret> context) =>
        await context.RespondAsync(await webhooks.Rotate(context.Message.Office, context.Message.WebhookId, context.CancellationToken));

    public async Task Consume(ConsumeContext<TestWebhook> context) =>
        await context.RespondAsync(await webhooks.Test(context.Message.Office, context.Message.WebhookId, context.CancellationToken));

    public async Task Consume(ConsumeContext<ListNotifications> context) =>
        await context.RespondAsync(await inbox.List(context.Message, context.CancellationToken));

    public async Task Consume(ConsumeContext<MarkNotificationRead> context) =>
        await context.RespondAsync(await inbox.MarkRead(context.Message.Office, context.Message.NotificationId, context.CancellationToken) is { } read
            ? new NotificationAnswer { Notification = read }
            : new NotificationAnswer
            {
                Refusal = new Refusal { Status = 404, Reason = "not-found", ReasonEn = "No notification with this id is visible to your office.", ReasonJa = "この通知は存在しないか、貴事業所からは参照できません。" },
            });

    public async Task Consume(ConsumeContext<GetNotificationPreferences> context) =>
        await context.RespondAsync(await preferences.Get(context.Message.Office, context.CancellationToken));

    public async Task Consume(ConsumeContext<SetNotificationPreferences> context) =>
        await context.RespondAsync(await preferences.Set(context.Message, context.CancellationToken));
}

public sealed class NotificationRequestsConsumerDefinition : ConsumerDefinition<NotificationRequestsConsumer>
{
    public NotificationRequestsConsumerDefinition() => EndpointName = Queues.NotificationRequests;
}
