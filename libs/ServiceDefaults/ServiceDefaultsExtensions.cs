using System.Diagnostics;
using System.Reflection;
using System.Diagnostics.Metrics;
using System.Text.Json;
using CarePlanMesh.ServiceDefaults.Errors;
using CarePlanMesh.ServiceDefaults.Health;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.ServiceDefaults.Migrations;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
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

/// <summary>What every CarePlanMesh service has: telemetry, health, one error policy, its database schema, the bus and the claim check.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The request-timeout policy for endpoints that receive uploads (Http:UploadTimeout).</summary>
    public const string UploadTimeout = "upload";

    static Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy Deadline(TimeSpan timeout) => new()
    {
        Timeout = timeout,
        TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        WriteTimeoutResponse = context => ProblemExceptionHandler.Write(context, ErrorPolicy.DeadlinePassed),
    };

    /// <summary>The mesh's own instruments (names start with careplanmesh).</summary>
    public static readonly Meter Meter = new("CarePlanMesh");

    /// <summary>The mesh's own spans, where no library makes one (e.g. the sweeper's re-drive of a submission).</summary>
    public static readonly ActivitySource ActivitySource = new("CarePlanMesh");

    /// <summary>OpenTelemetry logs, traces and metrics (scraped at /metrics, and exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set) and the liveness check.</summary>
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
                .AddSource(ActivitySource.Name)
                .AddSource("MassTransit")
                .AddSource("Npgsql")
                .AddAspNetCoreInstrumentation(options =>
                {
                    options.Filter = http => !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics");
                    // The caller's request id (a front door's or a vendor's) beside the trace context it sent (traceparent), so
                    // that a support call quoting it finds the trace.
                    options.EnrichWithHttpRequest = (activity, request) =>
                    {
                        if (request.Headers["X-Request-Id"] is [{ Length: > 0 and <= 128 } requestId])
                            activity.SetTag("http.request.header.x-request-id", requestId);
                    };
                })
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(Meter.Name)
                .AddMeter("MassTransit")
                .AddMeter("Npgsql")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.UseOtlpExporter();

        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"]);
        builder.Services.Configure<HealthOptions>(builder.Configuration.GetSection("Health"));
        builder.Services.AddHostedService<FailedJobExit>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        // Outside Development a minimal API answers broken JSON or an unparsable query or route value with a bare 400 and no
        // body; throwing hands it to the error policy, which answers the bilingual malformed-request problem.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        // Every request has a deadline, so nothing waits forever on a dependency that neither answers nor fails
        // (a broker refusing messages makes sends retry without end). Uploads get longer: a large unit on a slow line.
        builder.Services.AddRequestTimeouts(timeouts =>
        {
            timeouts.DefaultPolicy = Deadline(builder.Configuration.GetValue("Http:RequestTimeout", TimeSpan.FromSeconds(20)));
            timeouts.AddPolicy(UploadTimeout, Deadline(builder.Configuration.GetValue("Http:UploadTimeout", TimeSpan.FromMinutes(5))));
        });
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
        var maxPoolSize = builder.Configuration.GetValue("Database:MaxPoolSize", DefaultMaxPoolSize);
        builder.Services.TryAddSingleton(_ => DataSource(connectionString, schema, maxPoolSize));
        builder.Services.TryAddSingleton<SchemaMigrator>();
        builder.Services.AddSingleton(new SchemaRegistration("messagedata", typeof(ServiceDefaultsExtensions).Assembly));
        builder.Services.AddSingleton(new SchemaRegistration(schema, migrations));
        // First hosted service: the schema is current before MassTransit starts consuming.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, MigrationHostedService>());
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Connections a service's pool opens at most unless Database:MaxPoolSize or the connection string (Maximum Pool Size) says
    /// otherwise. Npgsql's own default, 100 per process, let six services hold PostgreSQL's 100 slots after a slow start
    /// and answer 53300 (docs/benchmarks.md, 2026-12-06); past the limit a command waits for a pooled connection instead.
    /// </summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>
    /// Statements each connection keeps prepared unless the connection string names Max Auto Prepare: Npgsql prepares a
    /// statement after its fifth use on a connection, so PostgreSQL parses and plans the mesh's few dozen hot statements
    /// once per connection instead of at every execution (docs/benchmarks.md, 2026-12-06 (4)).
    /// </summary>
    public const int DefaultMaxAutoPrepare = 100;

    /// <summary>
    /// The pool opens at most <paramref name="maxPoolSize"/> connections unless the connection string names Maximum Pool Size,
    /// and skips Npgsql's DISCARD ALL on every return of a connection (No Reset On Close): it ran ~42 times per
    /// submission across the mesh (docs/benchmarks.md, 2026-12-06). Safe because no code leaves session state behind:
    /// locks are transaction-scoped (pg_advisory_xact_lock) or unlocked in a finally (migrations, directory seed), and
    /// nothing issues SET, LISTEN, PREPARE or temporary tables outside a transaction. A connection string that says
    /// No Reset On Close=false keeps the reset.
    /// </summary>
    public static NpgsqlDataSource DataSource(string connectionString, string name, int maxPoolSize = DefaultMaxPoolSize)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = name }
            // Spans for the database work of a request or a message only: a periodic job's polls would be a root trace each.
            .ConfigureTracing(tracing => tracing.ConfigureCommandFilter(_ => Activity.Current is not null).ConfigureBatchFilter(_ => Activity.Current is not null));
        // NpgsqlConnectionStringBuilder.ContainsKey says whether a keyword exists, not whether it was given: ask the plain builder.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        if (!given.ContainsKey("Maximum Pool Size") && !given.ContainsKey("MaxPoolSize"))
            builder.ConnectionStringBuilder.MaxPoolSize = maxPoolSize;
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        return builder.Build();
    }

    /// <summary>
    /// MassTransit on RabbitMQ (ConnectionStrings:RabbitMq, an amqp:// URI) with the PostgreSQL claim check,
    /// retries and the in-memory outbox on every endpoint, and quorum queues when RabbitMq:QuorumQueues is true; the nodes of a
    /// cluster in RabbitMq:ClusterNodes (host:port each; the connection string then gives only user, password and virtual host).
    /// </summary>
    public static WebApplicationBuilder AddServiceBus(this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator> configure)
    {
        var rabbit = new Uri(builder.Configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set (environment variable ConnectionStrings__RabbitMq, e.g. amqp://user:pass@127.0.0.1:5672/)."));
        var quorum = builder.Configuration.GetValue("RabbitMq:QuorumQueues", false);
        // host:port of every node of a cluster: the bus connects to one, and to the next when it fails.
        var clusterNodes = builder.Configuration.GetSection("RabbitMq:ClusterNodes").Get<string[]>() ?? [];
        var retryIntervals = builder.Configuration.GetSection("Bus:RetryIntervals").Get<TimeSpan[]>() is { Length: > 0 } configured
            ? configured
            // About a minute in all: long enough for a database restart or a broker failover, so that what fails only
            // for that long never reaches an error queue.
            : [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10),
                TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(25)];

        // Payloads always go to the repository, never inline in a message, whatever their size.
        MessageDataDefaults.AlwaysWriteToRepository = true;
        MessageDataDefaults.Threshold = 0;
        MessageDataDefaults.TimeToLive = builder.Configuration.GetValue("MessageData:TimeToLive", TimeSpan.FromDays(30));

        builder.Services.TryAddSingleton(new PayloadEncryption(builder.Configuration.GetSection("MessageData").Get<PayloadEncryptionOptions>() ?? new()));
        builder.Services.TryAddSingleton<PostgresMessageDataRepository>();
        builder.Services.TryAddSingleton<IMessageDataRepository>(sp => sp.GetRequiredService<PostgresMessageDataRepository>());
        builder.Services.TryAddSingleton(new BrokerAddress(rabbit, clusterNodes));
        builder.Services.TryAddSingleton<IReceiveEndpointStates, BusReceiveEndpointStates>();
        builder.Services.TryAddSingleton<BusEndpointProbe>();
        builder.Services.AddHealthChecks()
            .AddCheck<BusEndpointsReadyCheck>("bus", tags: ["ready"])
            .AddCheck<BusEndpointsLiveCheck>("bus-endpoints", tags: ["live"]);
        builder.Services.AddHostedService<EndpointWatchdog>();
        builder.Services.TryAddSingleton<RefusedPublishRecovery>();
        builder.Services.AddSendObserver(sp => sp.GetRequiredService<RefusedPublishRecovery>());
        builder.Services.AddPublishObserver(sp => sp.GetRequiredService<RefusedPublishRecovery>());
        var expiredRequests = Meter.CreateCounter<long>("careplanmesh.requests.expired_dropped", description: "Requests that failed transiently after their requester had given up, dropped instead of moved to the error queue");
        var leftToSweeper = Meter.CreateCounter<long>("careplanmesh.redrive.left_to_sweeper", description: "Step commands that failed transiently after their retries and were left to the saga's sweeper");

        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit reports usage to its vendor by default; a relay for care data calls no host its operator did not configure.
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            // An answer that takes longer than this is a dependency that is down: the edge says 503 instead of waiting 30 s.
            bus.SetDefaultRequestTimeout(builder.Configuration.GetValue("Bus:RequestTimeout", TimeSpan.FromSeconds(10)));
            // The mesh's own checks (bus, bus-endpoints) decide readiness; MassTransit's stays available under its own tag.
            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Tags.Clear();
                health.Tags.Add("masstransit");
            });
            bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                if (quorum && endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint)
                    rabbitEndpoint.SetQuorumQueue();
                if (context.GetServices<RedrivenBySweeper>().Any(r => r.Queue == name))
                    endpoint.ConfigureError(error =>
                    {
                        error.UseFilter(new LeaveTransientFailuresToSweeper(context.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RedrivenBySweeper)), leftToSweeper));
                        error.UseFilter(new MassTransit.Middleware.GenerateFaultFilter());
                        error.UseFilter(new MassTransit.Middleware.ErrorTransportFilter());
                    });
                // Outside the retries: a request whose requester gave up is not left in the error queue after an outage.
                endpoint.UseFilter(new DropExpiredRequests(context.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DropExpiredRequests)), expiredRequests));
                // Only what may succeed later is retried (database, broker, timeouts); anything else goes to the error
                // queue at once, and its Fault<T> tells whoever waits for it.
                endpoint.UseMessageRetry(retry =>
                {
                    retry.Handle<Exception>(TransientErrors.IsTransient);
                    retry.Intervals(retryIntervals);
                });
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
                    if (clusterNodes.Length > 0)
                        host.UseCluster(cluster =>
                        {
                            foreach (var node in clusterNodes)
                                cluster.Node(node);
                        });
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

    /// <summary>
    /// The error policy for every endpoint (<see cref="ErrorPolicy"/>), /health/ready (PostgreSQL answers, the broker answers,
    /// every receive endpoint consumes) and /health/live (fails only when endpoints stay down past the grace), both as JSON;
    /// /metrics for Prometheus, on the management address only.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseRequestTimeouts();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live"), ResponseWriter = WriteHealth });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteHealth });
        app.MapPrometheusScrapingEndpoint("/metrics").RequireHost(app.Configuration.ManagementHosts());
        return app;
    }

    /// <summary>{"status", "checks": [{"name", "status", "description", "endpoints": {queue: state}}]} — never exception text.</summary>
    static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                endpoints = e.Value.Data.TryGetValue("endpoints", out var endpoints) ? endpoints : null,
            }),
        }, HealthJson));
    }

    static readonly JsonSerializerOptions HealthJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

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
