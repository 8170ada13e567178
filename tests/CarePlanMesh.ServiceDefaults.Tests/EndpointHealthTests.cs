using System.Net;
using System.Text.Json;
using CarePlanMesh.ServiceDefaults.Health;
using CarePlanMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>Health tells the truth about receive endpoints, on real RabbitMQ.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EndpointHealthTests(DatabaseFixture database) : IAsyncLifetime
{
    WebApplication? _app;
    HttpClient _http = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Starts the service; <paramref name="states"/> may stand in for MassTransit's view of its endpoints.</summary>
    async Task<WebApplication> Start(TimeSpan grace, TimeSpan watchdogInterval, Func<IReceiveEndpointStates, IReceiveEndpointStates>? states = null)
    {
        _app = await TestService.Start(database, "endpoint-health", builder =>
        {
            builder.Configuration["Health:EndpointGrace"] = grace.ToString();
            builder.Configuration["Health:WatchdogInterval"] = watchdogInterval.ToString();
            if (states is not null)
                builder.Services.AddSingleton(sp => states(new BusReceiveEndpointStates(sp.GetRequiredService<IBusControl>())));
        }, _ => { });
        _http = _app.Client();
        return _app;
    }

    public async Task DisposeAsync()
    {
        if (_app is null)
            return;
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Ready_fails_naming_a_receive_endpoint_that_stopped_consuming_while_live_waits_out_the_grace()
    {
        // Long enough that the watchdog does not act within the test: this test is about what health says.
        var app = await Start(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1));
        var bus = app.Services.GetRequiredService<IBus>();
        var handle = ((IReceiveConnector)bus).ConnectReceiveEndpoint("probe-endpoint", endpoint => endpoint.Handler<ProbeMessage>(_ => Task.CompletedTask));
        await handle.Ready;
        await Poll.Until(async () => (await _http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), () => "never ready");

        await handle.StopAsync();

        var (_, endpoints) = await Poll.Until(() => Check("ready", "bus"), r => r.Status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20),
            r => $"still {r.Status} after the endpoint stopped");
        Assert.Contains("probe-endpoint", endpoints);
        // Not yet past the grace: alive, so nothing restarts the process for a moment's outage.
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Live_fails_naming_an_endpoint_down_past_the_grace_though_nothing_else_probes()
    {
        // The watchdog does not look within the test, and readiness is not asked once the endpoint is down: liveness alone must see it.
        var app = await Start(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10));
        var handle = ((IReceiveConnector)app.Services.GetRequiredService<IBus>())
            .ConnectReceiveEndpoint("live-endpoint", endpoint => endpoint.Handler<ProbeMessage>(_ => Task.CompletedTask));
        await handle.Ready;
        await Poll.Until(async () => (await Check("live", "bus-endpoints")).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20), () => "never alive");

        await handle.StopAsync();

        var (_, endpoints) = await Poll.Until(() => Check("live", "bus-endpoints"), r => r.Status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20),
            r => $"/health/live still {r.Status} 20 s after the endpoint stopped, with a grace of 2 s");
        Assert.Contains("live-endpoint", endpoints);
    }

    [Fact]
    public async Task Ready_fails_naming_a_queue_MassTransit_reports_healthy_while_the_broker_has_no_consumer_on_it()
    {
        // What an operator saw after broker restarts: MassTransit reports an endpoint healthy, the broker has no consumer on its
        // queue. MassTransit's view is given one such endpoint more; its queue is real and the broker's count is what is judged.
        const string queue = "orphan-endpoint";
        var app = await Start(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
            states => new Rewritten(states) { Extra = (new Uri($"rabbitmq://127.0.0.1/{queue}"), BusHealthStatus.Healthy) });
        await using var connection = await app.Services.GetRequiredService<BrokerAddress>().Connect("endpoint-health-test", CancellationToken.None);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);

        // Once MassTransit's own endpoints have started, the orphan is the one endpoint down, and for want of a consumer.
        var expected = JsonSerializer.Serialize(new Dictionary<string, string> { [queue] = "NoConsumer" });
        var (status, _) = await Poll.Until(() => Check("ready", "bus"), r => r.Endpoints == expected, TimeSpan.FromSeconds(20), r => $"ready said {r}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);

        // The same queue with a consumer on it: ready again, so the broker's count decided.
        await channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: "", noLocal: false, exclusive: false, arguments: null, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel));
        await Poll.Until(async () => (await Check("ready", "bus")).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20),
            () => "not ready with a consumer on the queue");
    }

    [Fact]
    public async Task Ready_fails_naming_the_reply_endpoint_of_request_clients_when_it_is_not_healthy()
    {
        Rewritten states = null!;
        var app = await Start(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), real => states = new Rewritten(real));
        // The reply queue is exclusive to the bus's connection: the broker's count of it is not asked, so a healthy one is ready.
        await Poll.Until(async () => (await Check("ready", "bus")).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20), () => "never ready");
        var reply = app.Services.GetRequiredService<IBusControl>().Address.AbsolutePath.Trim('/').Split('/')[^1];
        Assert.Contains(states.Inner.Current(), e => e.InputAddress == states.BusAddress);

        // A dead reply consumer makes every request time out: not ready.
        states.Reply = BusHealthStatus.Unhealthy;

        var (status, endpoints) = await Check("ready", "bus");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(JsonSerializer.Serialize(new Dictionary<string, string> { [reply] = "Unhealthy" }), endpoints);
    }

    /// <summary>A health endpoint's status and the "endpoints" of one of its checks (compact JSON; empty when it has none).</summary>
    async Task<(HttpStatusCode Status, string Endpoints)> Check(string kind, string check)
    {
        using var response = await _http.GetAsync($"/health/{kind}");
        var found = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == check);
        return (response.StatusCode, found.TryGetProperty("endpoints", out var endpoints) ? JsonSerializer.Serialize(endpoints) : "");
    }

    /// <summary>MassTransit's view of the endpoints, with the reply endpoint's state replaced or one endpoint added.</summary>
    sealed class Rewritten(IReceiveEndpointStates inner) : IReceiveEndpointStates
    {
        public IReceiveEndpointStates Inner => inner;
        public BusHealthStatus? Reply { get; set; }
        public (Uri InputAddress, BusHealthStatus Status)? Extra { get; init; }
        public Uri BusAddress => inner.BusAddress;

        public IEnumerable<(Uri InputAddress, BusHealthStatus Status)> Current() =>
        [
            .. inner.Current().Select(e => e.InputAddress == BusAddress && Reply is { } reply ? (e.InputAddress, reply) : e),
            .. Extra is { } extra ? [extra] : Array.Empty<(Uri, BusHealthStatus)>(),
        ];
    }

    public sealed record ProbeMessage;
}
