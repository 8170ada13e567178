using CarePlanMesh.Notification.Consumers;
using CarePlanMesh.ServiceDefaults;

namespace CarePlanMesh.Notification;

public static class NotificationApplication
{
    public static WebApplicationBuilder AddNotification(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase("notification", typeof(NotificationApplication).Assembly);
        builder.AddServiceBus(bus =>
        {
            bus.AddConsumer<NotifyOfficeConsumer>(typeof(NotifyOfficeConsumerDefinition));
            bus.AddConsumer<SendInvitationConsumer>(typeof(SendInvitationConsumerDefinition));
        });
        return builder;
    }

    /// <summary>Notification serves no HTTP endpoint of its own beyond health: offices read it through intake.</summary>
    public static WebApplication MapNotification(this WebApplication app) => app;
}
