using CarePlanMesh.Contracts;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.Notification.Consumers;

/// <summary>
/// Records the notification in the office's inbox, once per (submission, office, topic) however often the command
/// arrives, and announces it. Webhook and e-mail delivery build on this record.
/// </summary>
public sealed class NotifyOfficeConsumer(NpgsqlDataSource dataSource, TimeProvider clock) : IConsumer<NotifyOffice>
{
    public const string InboxChannel = "inbox";

    public async Task Consume(ConsumeContext<NotifyOffice> context)
    {
        var command = context.Message;
        await using var record = dataSource.CreateCommand(
            """
            WITH recorded AS (
                INSERT INTO notification.notifications (id, submission_id, office_number, topic, channel, created_at)
                VALUES (@id, @submission, @office, @topic, @channel, @at)
                ON CONFLICT (submission_id, office_number, topic) DO NOTHING
                RETURNING id, created_at)
            SELECT id, created_at FROM recorded
            UNION ALL
            SELECT id, created_at FROM notification.notifications WHERE submission_id = @submission AND office_number = @office AND topic = @topic
            LIMIT 1
            """);
        record.Parameters.AddWithValue("id", NewId.NextGuid());
        record.Parameters.AddWithValue("submission", command.SubmissionId);
        record.Parameters.AddWithValue("office", command.OfficeNumber);
        record.Parameters.AddWithValue("topic", command.Topic);
        record.Parameters.AddWithValue("channel", InboxChannel);
        record.Parameters.AddWithValue("at", clock.GetUtcNow());
        Guid id;
        DateTimeOffset at;
        await using (var reader = await record.ExecuteReaderAsync(context.CancellationToken))
        {
            await reader.ReadAsync(context.CancellationToken);
            id = reader.GetGuid(0);
            at = reader.GetFieldValue<DateTimeOffset>(1);
        }

        await context.Publish(new RecipientNotified
        {
            SubmissionId = command.SubmissionId,
            NotificationId = id,
            OfficeNumber = command.OfficeNumber,
            Topic = command.Topic,
            Channel = InboxChannel,
            NotifiedAt = at,
        });
    }
}

public sealed class NotifyOfficeConsumerDefinition : ConsumerDefinition<NotifyOfficeConsumer>
{
    public NotifyOfficeConsumerDefinition() => EndpointName = Queues.NotifyOffice;
}
