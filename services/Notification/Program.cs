using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Notification.Consumers;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("notification");
builder.AddServiceDatabase("notification", typeof(Program).Assembly);
builder.AddServiceBus(bus =>
{
    bus.AddConsumer<NotifyOfficeConsumer>(typeof(NotifyOfficeConsumerDefinition));
    bus.AddConsumer<SendInvitationConsumer>(typeof(SendInvitationConsumerDefinition));
});

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
