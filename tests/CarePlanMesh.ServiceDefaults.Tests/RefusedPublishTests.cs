using System.Net;
using CarePlanMesh.ServiceDefaults.Health;
using CarePlanMesh.Testing;
using MassTransit;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>
/// A publish the broker refuses makes the service reopen its broker connection (RefusedPublishRecovery): on a real broker, a
/// queue that refuses what does not fit (x-overflow reject-publish) refuses the bus's send with a negative confirm.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class RefusedPublishTests(DatabaseFixture database)
{
    [Fact]
    public async Task A_refused_publish_reopens_the_broker_connection_and_the_send_goes_through_once_there_is_room()
    {
        var faults = new ClosedChannelSends();
        var app = await TestService.Start(database, "refused-publish", builder => builder.Services.AddSendObserver(_ => faults).AddPublishObserver(_ => faults),
            bus => bus.AddConsumer<ClusterNodeTests.Echo>());
        try
        {
            // A request before the refusal: the request's send endpoint and the reply path have channels on the first connection.
            var bus = app.Services.GetRequiredService<IBus>();
            Assert.Equal("before", (await bus.CreateRequestClient<ClusterNodeTests.Ping>().GetResponse<ClusterNodeTests.Pong>(new ClusterNodeTests.Ping("before"))).Message.Text);

            // A queue that holds one message and refuses the next, behind an exchange the bus sends to.
            await using (var connection = await app.Services.GetRequiredService<BrokerAddress>().Connect("refused-publish-test", default))
            await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
            {
                await channel.ExchangeDeclareAsync("refusing", ExchangeType.Fanout, durable: true);
                await channel.QueueDeclareAsync("refusing", durable: true, exclusive: false, autoDelete: false,
                    arguments: new Dictionary<string, object?> { ["x-max-length"] = 1, ["x-overflow"] = "reject-publish" });
                await channel.QueueBindAsync("refusing", "refusing", "");
                await channel.BasicPublishAsync("refusing", "", true, new BasicProperties(), new byte[] { 1 });
            }
            var recovery = app.Services.GetRequiredService<RefusedPublishRecovery>();
            var before = await CurrentConnection(app);
            var started = DateTime.UtcNow;

            // MassTransit retries a refused send on the channel it has; the recovery reopens the connection beside it.
            var refusing = await bus.GetSendEndpoint(new Uri("exchange:refusing"));
            var sending = refusing.Send(new ClusterNodeTests.Ping("refused first"));
            await Poll.Until(async () => !ReferenceEquals(before, await CurrentConnection(app)), TimeSpan.FromSeconds(30),
                () => "The bus kept the connection on which the broker refused a publish.");
            Assert.False(sending.IsCompleted, "The send should still be retried while the queue refuses it.");
            // The broker closed it (asked to by a declaration it refuses), so MassTransit handles it as a lost connection.
            Assert.Equal(ShutdownInitiator.Peer, before.CloseReason?.Initiator);
            Assert.Contains(RefusedPublishRecovery.ReopenExchangeType, before.CloseReason?.ReplyText);

            // Room in the queue: the send's next attempt, on the new connection, is accepted.
            await using (var connection = await app.Services.GetRequiredService<BrokerAddress>().Connect("refused-publish-test", default))
            await using (var channel = await connection.CreateChannelAsync())
                await channel.QueuePurgeAsync("refusing");
            await sending.WaitAsync(TimeSpan.FromSeconds(30));
            // The request's send endpoint and the consumer's reply, both used before the reopening, took new channels: no send
            // failed on a closed one (MassTransit's retries hid such a failure from the caller, not from the observer).
            var answer = await bus.CreateRequestClient<ClusterNodeTests.Ping>().GetResponse<ClusterNodeTests.Pong>(new ClusterNodeTests.Ping("again"));
            Assert.Equal("again", answer.Message.Text);
            Assert.Equal(0, faults.Count);
            Assert.True(recovery.Reopenings >= 1);
            // At most one reopening per MinimumInterval while the refusals went on.
            Assert.InRange(recovery.Reopenings, 1, 1 + (int)((DateTime.UtcNow - started) / RefusedPublishRecovery.MinimumInterval));
            await using (var connection = await app.Services.GetRequiredService<BrokerAddress>().Connect("refused-publish-test", default))
            await using (var channel = await connection.CreateChannelAsync())
                Assert.Equal(1u, (await channel.QueueDeclarePassiveAsync("refusing")).MessageCount);

            // On the new connection the service is ready again.
            using var http = app.Client();
            await Poll.Until(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60),
                () => "The service did not become ready again after reopening its connection.");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Sends and publishes that failed on a channel already closed (an ObjectDisposedException under the fault).</summary>
    sealed class ClosedChannelSends : ISendObserver, IPublishObserver
    {
        int _count;

        public int Count => Volatile.Read(ref _count);

        Task Observe(Exception exception)
        {
            for (var inner = exception; inner is not null; inner = inner.InnerException)
                if (inner is ObjectDisposedException)
                {
                    Interlocked.Increment(ref _count);
                    break;
                }
            return Task.CompletedTask;
        }

        public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Observe(exception);
        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Observe(exception);
        public Task PreSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;
        public Task PostSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;
        public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
        public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
    }

    /// <summary>The broker connection the bus uses now (MassTransit opens one when it has none).</summary>
    static async Task<IConnection> CurrentConnection(Microsoft.AspNetCore.Builder.WebApplication app)
    {
        var host = (IRabbitMqHostConfiguration)app.Services.GetRequiredService<IBusInstance>().HostConfiguration;
        IConnection? connection = null;
        await host.ConnectionContextSupervisor.Send(Pipe.Execute<ConnectionContext>(context => connection = context.Connection), default);
        return connection!;
    }
}
