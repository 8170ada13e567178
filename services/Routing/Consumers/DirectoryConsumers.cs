using CarePlanMesh.Contracts;
using CarePlanMesh.Routing.Directory;
using CarePlanMesh.Routing.Partnerships;
using CarePlanMesh.Security;
using MassTransit;

namespace CarePlanMesh.Routing.Consumers;

/// <summary>The directory search behind GET /v1/directory, and office registration with its pending invitations.</summary>
public sealed class DirectoryConsumer(OfficeDirectory directory, PartnershipBook partnerships, TimeProvider clock, ILogger<DirectoryConsumer> logger)
    : IConsumer<SearchDirectory>, IConsumer<RegisterOffice>
{
    public async Task Consume(ConsumeContext<SearchDirectory> context) =>
        await context.RespondAsync(new DirectoryListed { Offices = await directory.Search(context.Message, context.CancellationToken) });

    public async Task Consume(ConsumeContext<RegisterOffice> context)
    {
        var office = context.Message;
        if (!OfficeNumber.IsValid(office.OfficeNumber))
        {
            logger.LogWarning("Ignored a registration with an invalid office number");
            return;
        }
        var isNew = !await directory.IsRegistered(office.OfficeNumber, context.CancellationToken);
        await directory.Register(office.OfficeNumber, office.Name, office.ServiceTypes, office.ContactEmail, context.CancellationToken);
        if (isNew)
            await context.Publish(new OfficeRegistered { OfficeNumber = office.OfficeNumber, ServiceTypes = office.ServiceTypes, RegisteredAt = clock.GetUtcNow() });
        foreach (var accepted in await partnerships.AcceptInvitations(office.OfficeNumber, office.ContactEmail, context.CancellationToken))
            await context.Publish(PartnershipsConsumer.Changed(accepted, changedBy: null, clock));
    }
}

public sealed class DirectoryConsumerDefinition : ConsumerDefinition<DirectoryConsumer>
{
    public DirectoryConsumerDefinition() => EndpointName = Queues.Directory;
}
