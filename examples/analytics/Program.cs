using CarePlanMesh.Examples.Analytics;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

// An analytics consumer of the mesh's event stream (docs/events.md): its own queue bound to the events' exchanges,
// daily counts in its own schema. ConnectionStrings:Postgres and ConnectionStrings:RabbitMq (amqp://user:pass@host:port/vhost).
var builder = Host.CreateApplicationBuilder(args);
var postgres = builder.Configuration.GetConnectionString("Postgres")
    ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set (environment variable ConnectionStrings__Postgres).");
var rabbit = new Uri(builder.Configuration.GetConnectionString("RabbitMq")
    ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set (environment variable ConnectionStrings__RabbitMq)."));

var dataSource = NpgsqlDataSource.Create(postgres);
await DailyCounts.CreateSchema(dataSource);
builder.Services.AddSingleton(dataSource);
builder.Services.AddSingleton<DailyCounts>();
builder.Services.AddMassTransit(bus =>
{
    bus.DisableUsageTelemetry();
    bus.AddConsumer<EventCounter>();
    bus.UsingRabbitMq((context, cfg) =>
    {
        var user = Uri.UnescapeDataString(rabbit.UserInfo).Split(':', 2);
        var virtualHost = rabbit.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(rabbit.AbsolutePath.TrimStart('/'));
        cfg.Host(rabbit.Host, (ushort)(rabbit.IsDefaultPort ? 5672 : rabbit.Port), virtualHost, host =>
        {
            host.Username(user[0]);
            host.Password(user.Length > 1 ? user[1] : "");
        });
        // One durable queue of our own; MassTransit binds it to the exchange of every event the consumer handles.
        cfg.ReceiveEndpoint(EventCounter.Queue, endpoint => endpoint.ConfigureConsumer<EventCounter>(context));
    });
});
builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);

var host = builder.Build();
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
lifetime.ApplicationStarted.Register(() => host.Services.GetRequiredService<ILogger<EventCounter>>()
    .LogInformation("Analytics consumer bound: queue {Queue}", EventCounter.Queue));
await host.RunAsync();
