using CarePlanMesh.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Events;

public static class EventRegistration
{
    public static WebApplicationBuilder AddEvents(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<EventOptions>(builder.Configuration.GetSection("Events"));
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddHostedService<EventPurge>();
        return builder;
    }

    public static void AddEventConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<OfficeEventConsumer>(typeof(OfficeEventConsumerDefinition));
}

/// <summary>Deletes events past their retention, on every replica (the delete is the same wherever it runs).</summary>
public sealed class EventPurge(EventStore events, IOptions<EventOptions> options, ILogger<EventPurge> logger)
    : PeriodicService(options.Value.PurgeInterval, logger)
{
    protected override Task RunOnce(CancellationToken cancellationToken) => events.Purge(options.Value.Retention, cancellationToken);
}
