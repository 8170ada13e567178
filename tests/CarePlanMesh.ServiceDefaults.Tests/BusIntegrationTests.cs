using System.Collections.Concurrent;
using System.Text;
using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>The shared hosting wired to real RabbitMQ and PostgreSQL, as a service uses it.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class BusIntegrationTests(DatabaseFixture database) : IAsyncLifetime
{
    WebApplication _app = null!;
    readonly ConcurrentBag<(string Body, byte[] Payload)> _received = [];

    public async Task InitializeAsync()
    {
        _app = await TestService.Start(database, "hosting", builder => builder.Services.AddSingleton(_received), bus =>
        {
            bus.AddSagaStateMachine<CounterStateMachine, CounterState>()
                .Endpoint(e => { e.ConcurrentMessageLimit = 16; e.PrefetchCount = 32; })
                .NpgsqlRepository(o =>
                {
                    var counters = NpgsqlSagaRepositoryTests.CounterOptions();
                    o.Table = counters.Table;
                    o.Columns.AddRange(counters.Columns);
                });
            bus.AddConsumer<PayloadProbe>();
        });
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Concurrent_events_for_one_saga_instance_are_all_applied_exactly_once()
    {
        var id = NewId.NextGuid();
        var bus = _app.Services.GetRequiredService<IBus>();
        var amounts = Enumerable.Range(1, 24).ToList();

        await Task.WhenAll(amounts.Select(a => bus.Publish(new Increment { CounterId = id, Amount = a })));

        var counter = await WaitFor(id, c => c.Seen.Count == amounts.Count);
        Assert.Equal(amounts.Sum(), counter.Total);
        Assert.Equal(amounts, counter.Seen.Order());
        Assert.Equal(amounts.Count, counter.Version);
    }

    [Fact]
    public async Task Payloads_travel_by_claim_check_and_never_inside_the_message()
    {
        var bus = _app.Services.GetRequiredService<IBus>();
        var repository = _app.Services.GetRequiredService<PostgresMessageDataRepository>();
        var content = Encoding.UTF8.GetBytes("202407,123456,1234567890,（架空）利用者");
        var id = NewId.NextGuid();

        var endpoint = await bus.GetSendEndpoint(new Uri("queue:payload-probe"));
        await endpoint.Send(new ValidateSubmission { SubmissionId = id, Payload = await repository.PutBytes(content) });

        await Poll.Until(() => Task.FromResult(!_received.IsEmpty), TimeSpan.FromSeconds(20), () => "The probe received nothing within 20 s.");
        var (body, payload) = Assert.Single(_received);
        Assert.Equal(content, payload);
        Assert.DoesNotContain(Convert.ToBase64String(content), body);
        Assert.DoesNotContain("1234567890", body);
        Assert.Contains("urn:careplanmesh:payload:", body);
    }

    async Task<CounterState> WaitFor(Guid id, Func<CounterState, bool> condition) =>
        (await Poll.Until(async () =>
        {
            var connection = await database.DataSource.OpenConnectionAsync();
            await using var db = new Sagas.NpgsqlSagaDatabaseContext<CounterState>(connection, NpgsqlSagaRepositoryTests.CounterOptions());
            return await db.Load(id, default);
        }, counter => counter is not null && condition(counter), TimeSpan.FromSeconds(30), _ => $"Counter {id} did not reach the expected state."))!;

    public sealed class PayloadProbe(ConcurrentBag<(string, byte[])> received) : IConsumer<ValidateSubmission>
    {
        public async Task Consume(ConsumeContext<ValidateSubmission> context) =>
            received.Add((context.ReceiveContext.Body.GetString(), await context.Message.Payload.Value));
    }
}
