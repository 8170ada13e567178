using CarePlanMesh.ServiceDefaults.Metrics;

namespace CarePlanMesh.Notification;

/// <summary>Notifications still to go out and those failing, per channel, read from the webhook and e-mail outboxes (docs/operations.md).</summary>
public static class NotificationGauges
{
    public static WebApplicationBuilder AddNotificationGauges(this WebApplicationBuilder builder) => builder
        .AddDatabaseGauge(new("careplanmesh.notifications.pending", "{notification}", "Webhook deliveries and e-mails not yet sent (label channel)", "channel",
            """
            SELECT 'webhook', count(*) FROM notification.webhook_deliveries WHERE delivered_at IS NULL AND abandoned_at IS NULL
            UNION ALL SELECT 'email', count(*) FROM notification.emails WHERE sent_at IS NULL
            """))
        .AddDatabaseGauge(new("careplanmesh.notifications.failed", "{notification}",
            "Unsent webhook deliveries and e-mails whose last attempt failed, plus webhook deliveries given up in the last 24 h (label channel)", "channel",
            """
            SELECT 'webhook', count(*) FROM notification.webhook_deliveries
             WHERE delivered_at IS NULL AND (attempts > 0 OR abandoned_at > now() - interval '24 hours')
            UNION ALL SELECT 'email', count(*) FROM notification.emails WHERE sent_at IS NULL AND attempts > 0
            """));
}
