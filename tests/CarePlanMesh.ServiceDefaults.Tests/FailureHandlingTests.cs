using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults.Errors;
using CarePlanMesh.ServiceDefaults.Health;
using CarePlanMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>What the shared bus defaults do with failing consumers, on real RabbitMQ and PostgreSQL.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class FailureHandlingTests(DatabaseFixture database) : IAsyncLifetime
{
    const string PoisonQueue = "poison-probe";
    const string RedrivenQueue = "redriven-probe";
    WebApplication _app = null!;
    readonly Attempts _attempts = new();
    readonly ConcurrentDictionary<Guid, ExceptionInfo[]> _faults = new();

    public async Task InitializeAsync()
    {
        _app = await TestService.Start(database, "failures", builder =>
        {
            builder.Configuration["Bus:RetryIntervals:0"] = "00:00:00.05";
            builder.Configuration["Bus:RetryIntervals:1"] = "00:00:00.05";
            builder.Services.AddSingleton(_attempts);
            builder.Services.AddSingleton(_faults);
            builder.Services.AddSingleton(new RedrivenBySweeper(RedrivenQueue));
        }, bus =>
        {
            bus.AddConsumer<PoisonConsumer>().Endpoint(e => e.Name = PoisonQueue);
            bus.AddConsumer<DatabaseDownConsumer>().Endpoint(e => e.Name = RedrivenQueue);
            bus.AddConsumer<FaultObserver>();
        });
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_poison_message_reaches_its_error_queue_after_one_attempt_and_its_fault_is_published()
    {
        var id = NewId.NextGuid();
        await Send(PoisonQueue, id);

        await Eventually(() => _faults.ContainsKey(id));
        Assert.Equal(1, _attempts.Of(id));
        Assert.DoesNotContain(_faults[id], TransientErrors.IsTransient);
        await Eventually(async () => (await ErrorQueue(PoisonQueue)) == 1);
    }

    [Fact]
    public async Task A_transient_failure_on_a_swept_queue_is_retried_then_left_to_the_sweeper_not_to_the_error_queue()
    {
        var id = NewId.NextGuid();
        await Send(RedrivenQueue, id);

        // One attempt and two retries (Bus:RetryIntervals), then nothing more.
        await Eventually(() => _faults.ContainsKey(id));
        Assert.Equal(3, _attempts.Of(id));
        Assert.Equal(0u, await ErrorQueue(RedrivenQueue));
        // Its fault says so, and the saga leaves it to the sweeper; a poison message's fault does not.
        Assert.True(_faults[id].All(TransientErrors.IsTransient));
    }

    [Fact]
    public async Task Ready_health_lists_its_checks_as_json_without_exception_text()
    {
        using var http = _app.Client();
        await Eventually(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK);

        using var ready = JsonDocument.Parse(await http.GetStringAsync("/health/ready"));
        Assert.Equal("Healthy", ready.RootElement.GetProperty("status").GetString());
        var checks = ready.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("bus", checks);
        Assert.Contains("postgres", checks);
        var probe = _app.Services.GetRequiredService<BusEndpointProbe>();
        Assert.True((await probe.Check(CancellationToken.None)).Healthy);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    async Task Send(string queue, Guid id)
    {
        var endpoint = await _app.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{queue}"));
        await endpoint.Send(new CheckRoute { SenderOffice = id.ToString(), RecipientOffice = "0300000005" });
    }

    async Task<uint> ErrorQueue(string queue)
    {
        var factory = _app.Services.GetRequiredService<BrokerAddress>().Factory();
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync($"{queue}_error")).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException missing) when (missing.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    static Task Eventually(Func<bool> condition) => Eventually(() => Task.FromResult(condition()));

    static Task Eventually(Func<Task<bool>> condition) =>
        Poll.Until(condition, TimeSpan.FromSeconds(20), () => "The condition did not hold within 20 s.");

    public sealed class Attempts
    {
        readonly ConcurrentDictionary<Guid, int> _counts = new();
        public void Add(Guid id) => _counts.AddOrUpdate(id, 1, (_, n) => n + 1);
        public int Of(Guid id) => _counts.GetValueOrDefault(id);
    }

    public sealed class PoisonConsumer(Attempts attempts) : IConsumer<CheckRoute>
    {
        public Task Consume(ConsumeContext<CheckRoute> context)
        {
            attempts.Add(Guid.Parse(context.Message.SenderOffice));
            throw new InvalidOperationException("A bug: fails the same way every time.");
        }
    }

    public sealed class DatabaseDownConsumer(Attempts attempts) : IConsumer<CheckRoute>
    {
        public Task Consume(ConsumeContext<CheckRoute> context)
        {
            attempts.Add(Guid.Parse(context.Message.SenderOffice));
            throw new NpgsqlException("The database does not answer.");
        }
    }

    public sealed class FaultObserver(ConcurrentDictionary<Guid, ExceptionInfo[]> faults) : IConsumer<Fault<CheckRoute>>
    {
        public Task Consume(ConsumeContext<Fault<CheckRoute>> context)
        {
            faults[Guid.Parse(context.Message.Message.SenderOffice)] = context.Message.Exceptions;
            return Task.CompletedTask;
        }
    }
}
