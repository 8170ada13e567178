using System.Collections.Concurrent;
using CarePlanMesh.ServiceDefaults.Health;
using CarePlanMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>The watchdog on real RabbitMQ: an endpoint that stays down is first met with a bus restart, then with the process's exit.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class WatchdogTests(DatabaseFixture database) : IAsyncLifetime
{
    readonly ConcurrentQueue<string> _log = new();
    WebApplication _app = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Starts the service, with the receive endpoints <paramref name="bus"/> configures, and the watchdog acting within seconds.</summary>
    async Task StartWith(Action<IBusRegistrationConfigurator> bus, Action<WebApplicationBuilder>? configure = null) =>
        _app = await TestService.Start(database, "watchdog", builder =>
        {
            builder.Configuration["Health:EndpointGrace"] = "00:00:02";
            builder.Configuration["Health:WatchdogInterval"] = "00:00:00.5";
            builder.Logging.AddProvider(new LogRecorder(_log, LogLevel.Information));
            configure?.Invoke(builder);
        }, bus);

    public async Task DisposeAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task An_endpoint_that_stopped_receiving_is_consuming_again_after_the_bus_restart_and_the_process_stays()
    {
        const string queue = "cured-endpoint";
        await StartWith(bus => bus.AddConsumer<PingConsumer>().Endpoint(e => e.Name = queue));
        var stopping = new TaskCompletionSource();
        _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        var probe = _app.Services.GetRequiredService<BusEndpointProbe>();
        await Poll.Until(async () => (await probe.Check(CancellationToken.None)).Healthy, TimeSpan.FromSeconds(20), () => "never healthy");

        // The endpoint stops receiving but stays configured, as when its transport gives up: MassTransit does not start it again by itself.
        var bus = _app.Services.GetRequiredService<IBusControl>();
        await bus.CheckHealth().Endpoints.Values.Single(e => e.InputAddress.AbsolutePath.EndsWith($"/{queue}", StringComparison.Ordinal)).ReceiveEndpoint.Stop();

        await Poll.Until(() => Task.FromResult(_log.Any(l => l.Contains("Restarting the bus", StringComparison.Ordinal) && l.Contains(queue, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), () => $"no bus restart; log:\n{string.Join("\n", _log)}");
        await Poll.Until(() => Task.FromResult(_log.Any(l => l.Contains("consuming again", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), () => $"not consuming again; log:\n{string.Join("\n", _log)}");
        Assert.True((await probe.Check(CancellationToken.None)).Healthy);
        // Cured: two more graces pass without the watchdog giving up on the process.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.False(stopping.Task.IsCompleted, $"the application stopped; log:\n{string.Join("\n", _log)}");
        Assert.DoesNotContain(_log, l => l.Contains("Exiting with code", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_endpoint_that_stays_down_gets_a_bus_restart_then_the_process_exits_with_code_3()
    {
        await StartWith(_ => { });
        var stopping = new TaskCompletionSource();
        _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        var handle = ((IReceiveConnector)_app.Services.GetRequiredService<IBus>())
            .ConnectReceiveEndpoint("watched-endpoint", endpoint => endpoint.Handler<Ping>(_ => Task.CompletedTask));
        await handle.Ready;
        await Task.Delay(TimeSpan.FromSeconds(1));

        // Stopped for good: a bus restart does not bring back an endpoint nobody configures again.
        await handle.StopAsync();

        try
        {
            await Poll.Until(() => Task.FromResult(_log.Any(l => l.Contains("Restarting the bus", StringComparison.Ordinal) && l.Contains("watched-endpoint", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(30), () => $"no bus restart; log:\n{string.Join("\n", _log)}");
            await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains(_log, l => l.Contains("Exiting with code 3", StringComparison.Ordinal));
            Assert.Equal(3, Environment.ExitCode);
        }
        finally
        {
            // The exit code belongs to the test process here, not to a service.
            Environment.ExitCode = 0;
        }
    }

    [Fact]
    public async Task A_consumer_that_never_finishes_does_not_keep_the_watchdog_from_exiting_with_code_3()
    {
        var stuck = new TaskCompletionSource();
        await StartWith(bus => bus.AddConsumer<StuckConsumer>().Endpoint(e => e.Name = "stuck-endpoint"),
            builder => builder.Services.AddSingleton(stuck));
        var stopping = new TaskCompletionSource();
        _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        var bus = _app.Services.GetRequiredService<IBus>();
        var handle = ((IReceiveConnector)bus).ConnectReceiveEndpoint("watched-endpoint", endpoint => endpoint.Handler<Ping>(_ => Task.CompletedTask));
        await handle.Ready;
        // A consumer that ignores every cancellation holds the bus's stop.
        await (await bus.GetSendEndpoint(new Uri("queue:stuck-endpoint"))).Send(new Stuck());
        await stuck.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // The probe looks every 0.5 s: it has seen the endpoint running before it stops.
        await Task.Delay(TimeSpan.FromSeconds(1));

        await handle.StopAsync();

        try
        {
            // MassTransit's stop waits for the stuck consumer in most runs (the restart is then cut off at the grace, and the
            // exit follows at once) and in some returns before it (the endpoint stays down, and the exit follows a grace
            // later). Either way the exit comes: without the bound, a held stop kept the watchdog for ever.
            await Poll.Until(() => Task.FromResult(stopping.Task.IsCompleted), TimeSpan.FromSeconds(30),
                () => $"no exit; log:\n{string.Join("\n", _log)}");
            Assert.Contains(_log, l => l.Contains("Exiting with code 3", StringComparison.Ordinal));
            Assert.Equal(EndpointWatchdog.ExitCode, Environment.ExitCode);
            if (_log.Any(l => l.Contains("The bus restart did not finish within", StringComparison.Ordinal)))
                Assert.Contains(_log, l => l.Contains("The bus restart did not succeed", StringComparison.Ordinal));
        }
        finally
        {
            Environment.ExitCode = 0;
        }
    }

    public sealed record Stuck;

    public sealed class StuckConsumer(TaskCompletionSource started) : IConsumer<Stuck>
    {
        public async Task Consume(ConsumeContext<Stuck> context)
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
        }
    }

    /// <summary>
    /// A broker that accepts connections and does not answer (a node booting or stuck) while MassTransit reconnects: the
    /// broker client waits for its first frame without end (RabbitMQ.Client 7 awaits connection.start with only a
    /// cancellation token, and MassTransit 8.5 passes none), so the endpoint stays down after the broker answers again. The
    /// watchdog sees it down past the grace while its own look reaches the broker, and restarts the bus, which cures it; a
    /// restart that fails makes the process exit with code 3 at once. Seen in the fault test after broker restarts.
    /// </summary>
    [Fact]
    public async Task An_endpoint_left_down_by_a_broker_that_did_not_answer_is_cured_by_the_watchdog()
    {
        const string queue = "after-a-silent-broker";
        var rabbit = await database.Infrastructure.CreateVirtualHostAsync("silent");
        using var proxy = new SilentBrokerProxy(rabbit.Port);
        await StartWith(bus => bus.AddConsumer<PingConsumer>().Endpoint(e => e.Name = queue), builder =>
        {
            builder.Configuration["ConnectionStrings:RabbitMq"] = new UriBuilder(rabbit) { Port = proxy.Port }.Uri.ToString();
            builder.Configuration["Health:ProbeTimeout"] = "00:00:01";
        });
        var stopping = new TaskCompletionSource();
        _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        var bus = _app.Services.GetRequiredService<IBusControl>();
        var probe = _app.Services.GetRequiredService<BusEndpointProbe>();
        await Poll.Until(async () => (await probe.Check(CancellationToken.None)).Healthy, TimeSpan.FromSeconds(20), () => "never healthy");

        // The broker goes away and comes back silent: MassTransit's reconnect is held by a connection that never answers.
        proxy.Silent = true;
        proxy.DropAll();
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.NotEqual(BusHealthStatus.Healthy, bus.CheckHealth().Status);
        Assert.DoesNotContain(_log, l => l.Contains("Restarting the bus", StringComparison.Ordinal));

        // The broker answers again; the held connection still does not, and MassTransit does not give it up by itself.
        proxy.Silent = false;
        try
        {
            await Poll.Until(() => Task.FromResult(_log.Any(l => l.Contains("Restarting the bus", StringComparison.Ordinal) && l.Contains(queue, StringComparison.Ordinal))),
                TimeSpan.FromSeconds(30), () => $"no bus restart; log:\n{string.Join("\n", _log)}");
            await Poll.Until(() => Task.FromResult(stopping.Task.IsCompleted || _log.Any(l => l.Contains("consuming again", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(30), () => $"neither cured nor exited; log:\n{string.Join("\n", _log)}");
            if (stopping.Task.IsCompleted)
            {
                Assert.Equal(EndpointWatchdog.ExitCode, Environment.ExitCode);
                Assert.Contains(_log, l => l.Contains("The bus restart did not succeed", StringComparison.Ordinal));
            }
            else
            {
                Assert.True((await probe.Check(CancellationToken.None)).Healthy);
            }
        }
        finally
        {
            Environment.ExitCode = 0;
        }
    }

    /// <summary>
    /// A look that throws (here: MassTransit's endpoint states, twice) is logged and the next look goes on. Before, the exception
    /// ended the watchdog's BackgroundService, which stopped the host with exit code 0: a supervisor takes that for a
    /// deliberate stop, and the fault test saw intake exit with 0 after a broker restart.
    /// </summary>
    [Fact]
    public async Task A_look_that_fails_is_logged_and_the_watchdog_goes_on()
    {
        const string queue = "watched-after-a-failed-look";
        await StartWith(bus => bus.AddConsumer<PingConsumer>().Endpoint(e => e.Name = queue),
            builder => builder.Services.AddSingleton<IReceiveEndpointStates>(sp => new FailingTwice(new BusReceiveEndpointStates(sp.GetRequiredService<IBusControl>()))));
        var stopping = new TaskCompletionSource();
        _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        await Poll.Until(() => Task.FromResult(_log.Count(l => l.Contains("look failed", StringComparison.Ordinal)) == 2),
            TimeSpan.FromSeconds(20), () => $"no failed looks; log:\n{string.Join("\n", _log)}");
        Assert.Contains(_log, l => l.Contains("look failed (InvalidOperationException)", StringComparison.Ordinal));

        // The watchdog still acts: an endpoint that stops receiving gets its bus restart.
        var bus = _app.Services.GetRequiredService<IBusControl>();
        await bus.CheckHealth().Endpoints.Values.Single(e => e.InputAddress.AbsolutePath.EndsWith($"/{queue}", StringComparison.Ordinal)).ReceiveEndpoint.Stop();
        await Poll.Until(() => Task.FromResult(_log.Any(l => l.Contains("consuming again", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), () => $"no cure after the failed looks; log:\n{string.Join("\n", _log)}");
        Assert.False(stopping.Task.IsCompleted, $"the application stopped; log:\n{string.Join("\n", _log)}");
    }

    sealed class FailingTwice(IReceiveEndpointStates inner) : IReceiveEndpointStates
    {
        int _calls;

        public Uri BusAddress => inner.BusAddress;

        public IEnumerable<(Uri InputAddress, BusHealthStatus Status)> Current() =>
            Interlocked.Increment(ref _calls) <= 2 ? throw new InvalidOperationException("endpoint states unavailable") : inner.Current();
    }

    /// <param name="silent">
    /// False: nothing listens on the probe's port (connection refused at once). True: a listener accepts and never answers, as a
    /// booting or stuck node may; the broker client would wait for it without end, holding the watchdog inside one look.
    /// </param>
    [Theory]
    [InlineData(false, "Exception")]
    [InlineData(true, "no answer within 00:00:01")]
    public async Task Endpoints_down_while_the_probe_cannot_reach_the_broker_are_logged_once_and_nothing_restarts(bool silent, string reason)
    {
        const string queue = "unprobed-endpoint";
        // The bus reaches the broker; the probe's own connection goes elsewhere (the proxy's target is never used while silent).
        using var proxy = new SilentBrokerProxy(Infrastructure.FreePort()) { Silent = true };
        var port = silent ? proxy.Port : Infrastructure.FreePort();
        await StartWith(bus => bus.AddConsumer<PingConsumer>().Endpoint(e => e.Name = queue), builder =>
        {
            builder.Configuration["Health:ProbeTimeout"] = "00:00:01";
            builder.Services.AddSingleton(new BrokerAddress(new Uri($"amqp://guest:guest@127.0.0.1:{port}/")));
        });
        var bus = _app.Services.GetRequiredService<IBusControl>();
        await Poll.Until(() => Task.FromResult(bus.CheckHealth().Status == BusHealthStatus.Healthy), TimeSpan.FromSeconds(20), () => "the bus never started");

        await bus.CheckHealth().Endpoints.Values.Single(e => e.InputAddress.AbsolutePath.EndsWith($"/{queue}", StringComparison.Ordinal)).ReceiveEndpoint.Stop();

        await Poll.Until(() => Task.FromResult(_log.Any(l => l.Contains("has not reached the broker", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), () => $"no warning; log:\n{string.Join("\n", _log)}");
        // A few more looks: the warning stays one line, and the watchdog restarts nothing while it cannot see the broker.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var warning = Assert.Single(_log, l => l.Contains("has not reached the broker", StringComparison.Ordinal));
        Assert.Contains(queue, warning);
        Assert.Contains(reason, warning);
        Assert.DoesNotContain(_log, l => l.Contains("Restarting the bus", StringComparison.Ordinal) || l.Contains("look failed", StringComparison.Ordinal));
        if (silent)
            Assert.True(proxy.Accepted > 0, "the probe never connected to the silent listener");
    }

    public sealed record Ping;

    public sealed class PingConsumer : IConsumer<Ping>
    {
        public Task Consume(ConsumeContext<Ping> context) => Task.CompletedTask;
    }
}
