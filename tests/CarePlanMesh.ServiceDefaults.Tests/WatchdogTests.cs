using System.Collections.Concurrent;
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

    public async Task InitializeAsync() =>
        _app = await TestService.Start(database, "watchdog", builder =>
        {
            builder.Configuration["Health:EndpointGrace"] = "00:00:02";
            builder.Configuration["Health:WatchdogInterval"] = "00:00:00.5";
            builder.Logging.AddProvider(new Recorder(_log));
        }, _ => { });

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task An_endpoint_that_stays_down_gets_a_bus_restart_then_the_process_exits_with_code_3()
    {
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

    public sealed record Ping;

    sealed class Recorder(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Lines(lines);
        public void Dispose() { }

        sealed class Lines(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
