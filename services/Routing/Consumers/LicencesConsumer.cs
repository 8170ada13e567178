using CarePlanMesh.Contracts;
using CarePlanMesh.Routing.Licences;
using MassTransit;

namespace CarePlanMesh.Routing.Consumers;

/// <summary>
/// GET /v1/licence and POST /v1/licence/free-pass; a granted licence or free pass is published for billing-reconciliation,
/// which may also ask for every licence again (<see cref="ResendLicences"/>).
/// </summary>
public sealed class LicencesConsumer(LicenceBook licences, ILogger<LicencesConsumer> logger)
    : IConsumer<GetLicence>, IConsumer<ApplyFreePass>, IConsumer<GrantAnnualLicence>, IConsumer<ResendLicences>
{
    public async Task Consume(ConsumeContext<ResendLicences> context)
    {
        var endpoint = await context.GetSendEndpoint(Queues.Address(context.Message.Queue));
        var count = 0;
        await foreach (var licence in licences.All(context.CancellationToken))
        {
            await endpoint.Send(licence, context.CancellationToken);
            count++;
        }
        logger.LogInformation("Sent {Count} licences to {Queue}", count, context.Message.Queue);
    }

    public async Task Consume(ConsumeContext<GrantAnnualLicence> context)
    {
        if (await licences.GrantAnnual(context.Message.Office, context.Message.ValidFrom, context.CancellationToken) is { } granted)
            await context.Publish(granted);
    }

    public async Task Consume(ConsumeContext<GetLicence> context) =>
        await context.RespondAsync(await licences.Status(context.Message.Office, context.CancellationToken));

    public async Task Consume(ConsumeContext<ApplyFreePass> context)
    {
        var (answer, granted) = await licences.ApplyFreePass(context.Message.Office, context.CancellationToken);
        if (granted is not null)
            await context.Publish(granted);
        await context.RespondAsync(answer);
    }
}

public sealed class LicencesConsumerDefinition : ConsumerDefinition<LicencesConsumer>
{
    public LicencesConsumerDefinition() => EndpointName = Queues.Licences;
}
