using CarePlanMesh.Notification.Consumers;
using CarePlanMesh.Notification.Email;
using CarePlanMesh.Notification.Notifications;
using CarePlanMesh.Notification.Offices;
using CarePlanMesh.Notification.Webhooks;
using CarePlanMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Notification;

public static class NotificationApplication
{
    public static WebApplicationBuilder AddNotification(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<NotificationOptions>(builder.Configuration.GetSection("Notifications"));
        builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection("Webhooks"));
        builder.Services.Configure<MailOptions>(builder.Configuration.GetSection("Smtp"));

        builder.AddServiceDatabase("notification", typeof(NotificationApplication).Assembly);
        builder.AddServiceBus(bus =>
        {
            bus.AddConsumer<NotifyOfficeConsumer>(typeof(NotifyOfficeConsumerDefinition));
            bus.AddConsumer<SendInvitationConsumer>(typeof(SendInvitationConsumerDefinition));
            bus.AddConsumer<NotificationRequestsConsumer>(typeof(NotificationRequestsConsumerDefinition));
            bus.AddConsumer<PartnershipChangedConsumer>();
            bus.AddConsumer<CertificateExpiringConsumer>();
            bus.AddConsumer<LicenceExpiringConsumer>();
            bus.AddConsumer<LicenceExpiredConsumer>();
        });

        builder.Services.AddHostedService<OfficeSeed>();
        builder.Services.AddSingleton<Notifier>();
        builder.Services.AddSingleton<Inbox>();
        builder.Services.AddSingleton<Preferences>();
        builder.Services.AddSingleton<MailOutbox>();
        builder.Services.AddSingleton<MailTransport>();
        builder.Services.AddHostedService<MailDispatcher>();
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddHostedService<WebhookDispatcher>();
        builder.AddNotificationGauges();
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName, (services, client) =>
                client.Timeout = services.GetRequiredService<IOptions<WebhookOptions>>().Value.RequestTimeout)
            // Receivers answer; they do not send the relay elsewhere. No request logging: URLs may carry an office's tokens.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .RemoveAllLoggers();
        return builder;
    }

    /// <summary>Notification serves no HTTP endpoint of its own beyond health: offices reach it through intake.</summary>
    public static WebApplication MapNotification(this WebApplication app) => app;
}
