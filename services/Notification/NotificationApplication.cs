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
        builder.Services.AddOptions<WebhookOptions>().Bind(builder.Configuration.GetSection("Webhooks"))
            .Validate(o => o.AllowedNetworks.All(network => System.Net.IPNetwork.TryParse(network, out _)),
                "Webhooks:AllowedNetworks must list networks in CIDR notation with no host bits set (10.20.0.0/16).")
            .ValidateOnStart();
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
        builder.Services.AddSingleton<WebhookDestinations>();
        builder.Services.AddHostedService<WebhookDispatcher>();
        builder.AddNotificationGauges();
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName, (services, client) =>
                client.Timeout = services.GetRequiredService<IOptions<WebhookOptions>>().Value.RequestTimeout)
            // Receivers answer; they do not send the relay elsewhere. No request logging: URLs may carry an office's tokens.
            // Every connection is checked against the blocked networks (SSRF), after resolving, on the address it connects to;
            // no proxy, which would be checked instead of the receiver.
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2), UseProxy = false,
                ConnectCallback = services.GetRequiredService<WebhookDestinations>().Connect,
            })
            .RemoveAllLoggers();
        return builder;
    }

    /// <summary>Notification serves no HTTP endpoint of its own beyond health: offices reach it through intake.</summary>
    public static WebApplication MapNotification(this WebApplication app) => app;
}
