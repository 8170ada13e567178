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
public sealed class EventPurge(EventStore events, IOptions<EventOptions> options, ILogger<EventPurge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval);
        do
        {
            try
            {
                await events.Purge(options.Value.Retention, stoppingToken);
            }
            catch (Npgsql.NpgsqlException exception)
            {
                logger.LogWarning("Purging office events failed ({ExceptionType}); trying again at the next interval", exception.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
