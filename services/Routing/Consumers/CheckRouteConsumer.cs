using CarePlanMesh.Contracts;
using CarePlanMesh.Routing.Directory;
using MassTransit;

namespace CarePlanMesh.Routing.Consumers;

/// <summary>Answers intake's question before it stores anything: may this sender send to this recipient?</summary>
public sealed class CheckRouteConsumer(OfficeDirectory directory) : IConsumer<CheckRoute>
{
    public async Task Consume(ConsumeContext<CheckRoute> context) =>
        await context.RespondAsync(await directory.Check(context.Message.SenderOffice, context.Message.RecipientOffice, context.CancellationToken));
}

public sealed class CheckRouteConsumerDefinition : ConsumerDefinition<CheckRouteConsumer>
{
    public CheckRouteConsumerDefinition() => EndpointName = Queues.CheckRoute;
}
