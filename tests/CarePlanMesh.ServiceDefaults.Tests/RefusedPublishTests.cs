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
        var app = await TestService.Start(database, "refused-publish", _ => { }, bus => bus.AddConsumer<ClusterNodeTests.Echo>());
        try
        {
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
            var bus = app.Services.GetRequiredService<IBus>();
            var refusing = await bus.GetSendEndpoint(new Uri("exchange:refusing"));
            var sending = refusing.Send(new ClusterNodeTests.Ping("refused first"));
            await Poll.Until(async () => !ReferenceEquals(before, await CurrentConnection(app)), TimeSpan.FromSeconds(30),
                () => "The bus kept the connection on which the broker refused a publish.");
            Assert.False(sending.IsCompleted, "The send should still be retried while the queue refuses it.");

            // Room in the queue: the send's next attempt, on the new connection, is accepted.
            await using (var connection = await app.Services.GetRequiredService<BrokerAddress>().Connect("refused-publish-test", default))
            await using (var channel = await connection.CreateChannelAsync())
                await channel.QueuePurgeAsync("refusing");
            await sending.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(recovery.Reopenings >= 1);
            // At most one reopening per MinimumInterval while the refusals went on.
            Assert.InRange(recovery.Reopenings, 1, 1 + (int)((DateTime.UtcNow - started) / RefusedPublishRecovery.MinimumInterval));
            await using (var connection = await app.Services.GetRequiredService<BrokerAddress>().Connect("refused-publish-test", default))
            await using (var channel = await connection.CreateChannelAsync())
                Assert.Equal(1u, (await channel.QueueDeclarePassiveAsync("refusing")).MessageCount);

            // On the new connection the service is ready and answers over the bus again.
            using var http = app.Client();
            await Poll.Until(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60),
                () => "The service did not become ready again after reopening its connection.");
            var answer = await bus.CreateRequestClient<ClusterNodeTests.Ping>().GetResponse<ClusterNodeTests.Pong>(new ClusterNodeTests.Ping("again"));
            Assert.Equal("again", answer.Message.Text);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
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
