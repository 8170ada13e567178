using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CarePlanMesh.ServiceDefaults.Health;
using CarePlanMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>What is left in an _error queue needs an operator, and is counted; a request nobody waits for any more is not left there.</summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class ErrorQueueTests(DatabaseFixture database) : IAsyncLifetime
{
    readonly ConcurrentQueue<string> _log = new();
    WebApplication _app = null!;
    HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var port = Infrastructure.FreePort();
        _app = await TestService.Start(database, "error-queues", builder =>
        {
            // /metrics answers on the management address only, so the port is fixed here.
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Configuration["Health:WatchdogInterval"] = "00:00:00.5";
            builder.Configuration["Bus:RetryIntervals:0"] = "00:00:00.5";
            builder.Configuration["Bus:RetryIntervals:1"] = "00:00:01";
            builder.Logging.AddProvider(new LogRecorder(_log, LogLevel.Warning));
        }, bus =>
        {
            bus.AddConsumer<PoisonConsumer>().Endpoint(e => e.Name = PoisonConsumer.Queue);
            bus.AddConsumer<OutageConsumer>().Endpoint(e => e.Name = OutageConsumer.Queue);
        });
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_poison_message_is_counted_in_careplanmesh_error_queue_messages_for_its_error_queue()
    {
        var bus = _app.Services.GetRequiredService<IBus>();
        await (await bus.GetSendEndpoint(new Uri($"queue:{PoisonConsumer.Queue}"))).Send(new Poison());

        var value = await Poll.Until(async () => ErrorQueueMessages(await _http.GetStringAsync("/metrics"), $"{PoisonConsumer.Queue}_error"), v => v >= 1,
            TimeSpan.FromSeconds(30), v => $"careplanmesh_error_queue_messages for {PoisonConsumer.Queue}_error stayed {v}");
        Assert.Equal(1, value);
    }

    [Fact]
    public async Task A_request_that_failed_transiently_after_its_requester_gave_up_is_dropped_while_a_command_goes_to_the_error_queue()
    {
        var bus = _app.Services.GetRequiredService<IBus>();
        var probe = _app.Services.GetRequiredService<BusEndpointProbe>();
        // A command that fails transiently through every retry is kept: nobody else will do it.
        await (await bus.GetSendEndpoint(new Uri($"queue:{OutageConsumer.Queue}"))).Send(new DuringOutage());
        await Poll.Until(async () => { await probe.Check(CancellationToken.None); return Errors(); }, n => n == 1, TimeSpan.FromSeconds(30),
            n => $"{OutageConsumer.Queue}_error holds {n}, not the command");

        // A request failing the same way: its requester gives up after 1 s, the retries end after 1.5 s.
        var client = bus.CreateRequestClient<DuringOutage>(new Uri($"queue:{OutageConsumer.Queue}"), RequestTimeout.After(s: 1));
        await Assert.ThrowsAsync<RequestTimeoutException>(() => client.GetResponse<Answered>(new DuringOutage()));

        await Poll.Until(() => Task.FromResult(_log.Any(l => l.Contains("its requester has given up", StringComparison.Ordinal) && l.Contains(OutageConsumer.Queue, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), () => $"the expired request was not dropped; log:\n{string.Join("\n", _log)}");
        await probe.Check(CancellationToken.None);
        Assert.Equal(1u, Errors());

        uint Errors() => probe.ErrorMessages.GetValueOrDefault(OutageConsumer.Queue);
    }

    /// <summary>The gauge's value for one error queue in a Prometheus exposition; -1 when it has no sample.</summary>
    static double ErrorQueueMessages(string exposition, string errorQueue) =>
        exposition.Split('\n').Select(line => Sample().Match(line))
            .Where(m => m.Success && m.Groups["labels"].Value.Contains($"queue=\"{errorQueue}\"", StringComparison.Ordinal))
            .Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))
            .DefaultIfEmpty(-1).Sum();

    [GeneratedRegex(@"^careplanmesh_error_queue_messages\{(?<labels>[^}]*)\} (?<value>[-+0-9.eE]+)( \d+)?$")]
    private static partial Regex Sample();

    public sealed record Poison;
    public sealed record DuringOutage;
    public sealed record Answered;

    public sealed class PoisonConsumer : IConsumer<Poison>
    {
        public const string Queue = "poisoned-endpoint";
        public Task Consume(ConsumeContext<Poison> context) => throw new InvalidOperationException("a bug: fails the same way every time");
    }

    /// <summary>Fails as it would while a dependency is down: transiently, every time.</summary>
    public sealed class OutageConsumer : IConsumer<DuringOutage>
    {
        public const string Queue = "outage-endpoint";
        public Task Consume(ConsumeContext<DuringOutage> context) => throw new TimeoutException("the dependency does not answer");
    }
}
