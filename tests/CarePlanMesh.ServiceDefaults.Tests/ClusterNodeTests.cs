using System.Net;
using CarePlanMesh.ServiceDefaults.Health;
using CarePlanMesh.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>RabbitMq:ClusterNodes: the bus and the service's own broker connections go to the next node when one does not answer.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ClusterNodeTests(DatabaseFixture database)
{
    [Fact]
    public async Task A_service_whose_first_cluster_node_does_not_answer_consumes_through_the_next_one()
    {
        var broker = database.Infrastructure.RabbitMqUri;
        // A loopback port nothing listens on: the first node of the list is down.
        var down = $"127.0.0.1:{Infrastructure.FreePort()}";
        var app = await TestService.Start(database, "cluster-nodes", builder =>
        {
            builder.Configuration["RabbitMq:ClusterNodes:0"] = down;
            builder.Configuration["RabbitMq:ClusterNodes:1"] = $"{broker.Host}:{broker.Port}";
        }, bus => bus.AddConsumer<Echo>());
        try
        {
            Assert.Equal([down, $"{broker.Host}:{broker.Port}"], app.Services.GetRequiredService<BrokerAddress>().ClusterNodes!);
            using var http = app.Client();
            // Ready means the bus consumes and the probe's own connection counted the consumer on the broker.
            await Poll.Until(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60),
                () => "The service did not become ready through the second cluster node.");
            var client = app.Services.GetRequiredService<MassTransit.IBus>().CreateRequestClient<Ping>();
            var answer = await client.GetResponse<Pong>(new Ping("hello"));
            Assert.Equal("hello", answer.Message.Text);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public sealed record Ping(string Text);

    public sealed record Pong(string Text);

    public sealed class Echo : MassTransit.IConsumer<Ping>
    {
        public Task Consume(MassTransit.ConsumeContext<Ping> context) => context.RespondAsync(new Pong(context.Message.Text));
    }
}
