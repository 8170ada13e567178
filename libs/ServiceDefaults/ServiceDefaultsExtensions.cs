using System.Reflection;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.ServiceDefaults.Migrations;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CarePlanMesh.ServiceDefaults;

/// <summary>What every CarePlanMesh service has: telemetry, health, its database schema, the bus and the claim check.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>OpenTelemetry logs, traces and metrics (exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set) and the liveness check.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        // Per-request lines drown what matters at 3 a.m.; traces carry the requests.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // A lifetime mistake must stop every environment at start, not only Development.
        builder.Host.UseDefaultServiceProvider(provider =>
        {
            provider.ValidateScopes = true;
            provider.ValidateOnBuild = true;
        });
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddSource("MassTransit")
                .AddSource("Npgsql")
                .AddAspNetCoreInstrumentation(options => options.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter("MassTransit")
                .AddMeter("Npgsql")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.UseOtlpExporter();

        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"]);
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// The service's NpgsqlDataSource (ConnectionStrings:Postgres), its schema migrations (SQL resources of
    /// <paramref name="migrations"/>) and the shared claim-check schema, applied at start before the bus runs.
    /// </summary>
    public static WebApplicationBuilder AddServiceDatabase(this WebApplicationBuilder builder, string schema, Assembly migrations)
    {
        var connectionString = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set (environment variable ConnectionStrings__Postgres).");
        builder.Services.TryAddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = schema }.Build());
        builder.Services.TryAddSingleton<SchemaMigrator>();
        builder.Services.AddSingleton(new SchemaRegistration("messagedata", typeof(ServiceDefaultsExtensions).Assembly));
        builder.Services.AddSingleton(new SchemaRegistration(schema, migrations));
        // First hosted service: the schema is current before MassTransit starts consuming.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, MigrationHostedService>());
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// MassTransit on RabbitMQ (ConnectionStrings:RabbitMq, an amqp:// URI) with the PostgreSQL claim check,
    /// retries and the in-memory outbox on every endpoint, and quorum queues when RabbitMq:QuorumQueues is true.
    /// </summary>
    public static WebApplicationBuilder AddServiceBus(this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator> configure)
    {
        var rabbit = new Uri(builder.Configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set (environment variable ConnectionStrings__RabbitMq, e.g. amqp://user:pass@127.0.0.1:5672/)."));
        var quorum = builder.Configuration.GetValue("RabbitMq:QuorumQueues", false);

        // Payloads always go to the repository, never inline in a message, whatever their size.
        MessageDataDefaults.AlwaysWriteToRepository = true;
        MessageDataDefaults.Threshold = 0;
        MessageDataDefaults.TimeToLive = builder.Configuration.GetValue("MessageData:TimeToLive", TimeSpan.FromDays(30));

        builder.Services.TryAddSingleton(new PayloadEncryption(builder.Configuration.GetSection("MessageData").Get<PayloadEncryptionOptions>() ?? new()));
        builder.Services.TryAddSingleton<PostgresMessageDataRepository>();
        builder.Services.TryAddSingleton<IMessageDataRepository>(sp => sp.GetRequiredService<PostgresMessageDataRepository>());
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                if (quorum && endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint)
                    rabbitEndpoint.SetQuorumQueue();
                endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 1000, 2000, 5000));
                // A saga write that lost an optimistic-concurrency race is retried at once against the fresh row;
                // each round one writer wins, so this bounds how many events may race on one instance.
                endpoint.UseMessageRetry(retry =>
                {
                    retry.Handle<ConcurrencyException>();
                    retry.Immediate(32);
                });
                endpoint.UseInMemoryOutbox(context);
            });
            configure(bus);
            bus.UsingRabbitMq((context, cfg) =>
            {
                var userInfo = Uri.UnescapeDataString(rabbit.UserInfo).Split(':', 2);
                var virtualHost = rabbit.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(rabbit.AbsolutePath.TrimStart('/'));
                cfg.Host(rabbit.Host, (ushort)(rabbit.IsDefaultPort ? 5672 : rabbit.Port), virtualHost, host =>
                {
                    if (userInfo[0].Length > 0) host.Username(userInfo[0]);
                    if (userInfo.Length > 1) host.Password(userInfo[1]);
                });
                cfg.UseMessageData(context.GetRequiredService<IMessageDataRepository>());
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = true;
            options.StartTimeout = TimeSpan.FromSeconds(60);
            options.StopTimeout = TimeSpan.FromSeconds(30);
        });
        return builder;
    }

    /// <summary>/health/live answers while the process runs; /health/ready only when PostgreSQL and the bus answer.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }

    sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL does not answer.", exception);
            }
        }
    }
}
