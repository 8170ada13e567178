using CarePlanMesh.Contracts;
using MassTransit;

namespace CarePlanMesh.Intake.Events;

/// <summary>
/// Puts what other services publish about an office on its event stream: partnership requests and changes (routing) and
/// notifications (notification). Ids, states, topics and links only.
/// </summary>
public sealed class OfficeEventConsumer(EventStore events) : IConsumer<PartnershipChanged>, IConsumer<RecipientNotified>
{
    public async Task Consume(ConsumeContext<PartnershipChanged> context)
    {
        var changed = context.Message;
        var data = new { id = changed.PartnershipId, state = changed.State, requesterOffice = changed.RequesterOffice, partnerOffice = changed.PartnerOffice,
            href = $"/v1/partnerships/{changed.PartnershipId}" };
        foreach (var office in new[] { changed.RequesterOffice, changed.PartnerOffice }.OfType<string>().Distinct())
            await events.Add(office, "partnership.changed", data, Source(context), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<RecipientNotified> context) =>
        events.Add(context.Message.OfficeNumber, "notification", new
        {
            id = context.Message.NotificationId,
            topic = context.Message.Topic,
            submissionId = context.Message.SubmissionId,
        }, Source(context), context.CancellationToken);

    static string Source(ConsumeContext context) => context.MessageId?.ToString() ?? throw new InvalidOperationException("A published event without a message id.");
}

public sealed class OfficeEventConsumerDefinition : ConsumerDefinition<OfficeEventConsumer>
{
    public OfficeEventConsumerDefinition() => EndpointName = Queues.IntakeOfficeEvents;
}
