namespace CarePlanMesh.Contracts;

/// <summary>Request to notification: subscribe a webhook of the office to topics. Answered with <see cref="WebhookAnswer"/> carrying the secret.</summary>
public record RegisterWebhook
{
    public string Office { get; init; } = "";
    public string Url { get; init; } = "";
    public IReadOnlyList<string> Topics { get; init; } = [];
}

/// <summary>Request to notification: the office's webhooks. Answered with <see cref="WebhookAnswer"/> (list in Webhooks).</summary>
public record ListWebhooks
{
    public string Office { get; init; } = "";
}

public record DeleteWebhook
{
    public string Office { get; init; } = "";
    public Guid WebhookId { get; init; }
}

/// <summary>Request to notification: a new secret; the old one keeps signing beside it for the grace period.</summary>
public record RotateWebhookSecret
{
    public string Office { get; init; } = "";
    public Guid WebhookId { get; init; }
}

/// <summary>Request to notification: queue a signed <c>webhook.test</c> message to the webhook.</summary>
public record TestWebhook
{
    public string Office { get; init; } = "";
    public Guid WebhookId { get; init; }
}

public record WebhookAnswer
{
    public WebhookView? Webhook { get; init; }
    public IReadOnlyList<WebhookView> Webhooks { get; init; } = [];
    /// <summary>The signing secret (whsec_…), only in the answer to a registration or a rotation.</summary>
    public string? Secret { get; init; }
    /// <summary>The webhook-id of the message a test queued.</summary>
    public string? MessageId { get; init; }
    public Refusal? Refusal { get; init; }
}

public record WebhookView
{
    public Guid Id { get; init; }
    public string Url { get; init; } = "";
    public IReadOnlyList<string> Topics { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Set when deliveries kept failing for longer than the relay allows; the office was told by e-mail.</summary>
    public DateTimeOffset? DisabledAt { get; init; }
    public DateTimeOffset? FailingSince { get; init; }
    /// <summary>Until when the previous secret still signs, after a rotation.</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }
}

/// <summary>Request to notification: a page of the office's inbox, newest first. Answered with <see cref="NotificationsListed"/>.</summary>
public record ListNotifications
{
    public string Office { get; init; } = "";
    public bool UnreadOnly { get; init; }
    public int Limit { get; init; } = 50;
    /// <summary>The <see cref="NotificationsListed.Next"/> cursor of the previous page.</summary>
    public string? After { get; init; }
}

public record NotificationsListed
{
    public IReadOnlyList<NotificationView> Items { get; init; } = [];
    public string? Next { get; init; }
    public Refusal? Refusal { get; init; }
}

public record NotificationView
{
    public Guid Id { get; init; }
    /// <summary>The public topic name, e.g. delivery.available (docs/notifications.md).</summary>
    public string Topic { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ReadAt { get; init; }
    /// <summary>The notification's data as JSON text: the same object a webhook receives under "data".</summary>
    public string Data { get; init; } = "{}";
}

/// <summary>Request to notification: mark one notification of the office read. Answered with <see cref="NotificationAnswer"/>.</summary>
public record MarkNotificationRead
{
    public string Office { get; init; } = "";
    public Guid NotificationId { get; init; }
}

public record NotificationAnswer
{
    public NotificationView? Notification { get; init; }
    public Refusal? Refusal { get; init; }
}

/// <summary>Request to notification: the office's e-mail address and the topics it wants by e-mail.</summary>
public record GetNotificationPreferences
{
    public string Office { get; init; } = "";
}

/// <summary>Request to notification: replace the e-mail topics (and the address, when given).</summary>
public record SetNotificationPreferences
{
    public string Office { get; init; } = "";
    public IReadOnlyList<string> EmailTopics { get; init; } = [];
    public string? Email { get; init; }
}

public record NotificationPreferences
{
    public string Office { get; init; } = "";
    public string? Email { get; init; }
    public IReadOnlyList<string> EmailTopics { get; init; } = [];
    public Refusal? Refusal { get; init; }
}
