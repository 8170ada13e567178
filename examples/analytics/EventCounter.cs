using CarePlanMesh.Contracts;
using MassTransit;

namespace CarePlanMesh.Examples.Analytics;

/// <summary>Counts submission events per day (Japan time) and event type. Reads ids and times only.</summary>
public sealed class EventCounter(DailyCounts counts) :
    IConsumer<SubmissionReceived>, IConsumer<SubmissionRouted>, IConsumer<DeliveryAcknowledged>, IConsumer<SubmissionCompleted>,
    IConsumer<SubmissionFailed>, IConsumer<SubmissionExpired>, IConsumer<SubmissionWithdrawn>
{
    public const string Queue = "analytics-daily-counts";

    public Task Consume(ConsumeContext<SubmissionReceived> context) => Count(context);
    public Task Consume(ConsumeContext<SubmissionRouted> context) => Count(context);
    public Task Consume(ConsumeContext<DeliveryAcknowledged> context) => Count(context);
    public Task Consume(ConsumeContext<SubmissionCompleted> context) => Count(context);
    public Task Consume(ConsumeContext<SubmissionFailed> context) => Count(context);
    public Task Consume(ConsumeContext<SubmissionExpired> context) => Count(context);
    public Task Consume(ConsumeContext<SubmissionWithdrawn> context) => Count(context);

    Task Count<T>(ConsumeContext<T> context) where T : class =>
        counts.Add(context.MessageId ?? throw new InvalidOperationException("A MassTransit message without a MessageId."),
            typeof(T).Name, DailyCounts.JapanDay(context.SentTime ?? DateTime.UtcNow), context.CancellationToken);
}
