using System.Text.Json;
using System.Text.Json.Nodes;
using CarePlanMesh.Notification.Email;
using CarePlanMesh.Notification.Webhooks;
using MassTransit;
using Npgsql;
using NpgsqlTypes;

namespace CarePlanMesh.Notification.Notifications;

/// <summary>
/// Records a notification in the office's inbox and, in the same transaction, queues it for every webhook of the office
/// subscribed to the topic and for e-mail when the office wants the topic by e-mail. Recording the same subject twice
/// (a redelivered command or event) changes nothing, so each channel gets each notification once.
/// </summary>
public sealed class Notifier(NpgsqlDataSource dataSource, MailOutbox mail, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <param name="storedTopic">The topic as stored (a saga command's internal name, or a public topic name).</param>
    /// <param name="subject">What the notification is about, unique per office and topic: a submission id, a partnership id, a certificate and threshold.</param>
    /// <param name="data">The notification's data: office numbers and names, ids, months, counts and links only.</param>
    public async Task<(Guid Id, DateTimeOffset At)> Record(string office, string storedTopic, string subject, Guid? submissionId, JsonObject data,
        CancellationToken cancellationToken)
    {
        var topic = Topics.FromCommand(storedTopic);
        var now = clock.GetUtcNow();
        var id = NewId.NextGuid();
        data["notificationId"] = id;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO notification.notifications (id, submission_id, office_number, topic, channel, created_at, subject, data)
            VALUES (@id, @submission, @office, @topic, 'inbox', @at, @subject, @data)
            ON CONFLICT DO NOTHING
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.Add(new NpgsqlParameter("submission", NpgsqlDbType.Uuid) { Value = (object?)submissionId ?? DBNull.Value });
            insert.Parameters.AddWithValue("office", office);
            insert.Parameters.AddWithValue("topic", storedTopic);
            insert.Parameters.AddWithValue("at", now);
            insert.Parameters.AddWithValue("subject", subject);
            insert.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Jsonb) { Value = data.ToJsonString(Json) });
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return await Existing(office, storedTopic, subject, submissionId, cancellationToken);
            }
        }

        var body = WebhookBody(topic, now, data);
        await using (var queue = new NpgsqlCommand(
            """
            INSERT INTO notification.webhook_deliveries (id, webhook_id, notification_id, topic, body, created_at, next_attempt_at, traceparent)
            SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), w.id, @notification, @topic, @body, @at, @at, @traceparent
            FROM notification.webhooks w
            WHERE w.office_number = @office AND @topic = ANY (w.topics) AND w.deleted_at IS NULL AND w.disabled_at IS NULL
            """, connection, transaction))
        {
            queue.Parameters.AddWithValue("notification", id);
            queue.Parameters.AddWithValue("topic", topic);
            queue.Parameters.AddWithValue("body", body);
            queue.Parameters.AddWithValue("at", now);
            queue.Parameters.AddWithValue("office", office);
            queue.Parameters.Add(QueuedTrace.Parameter());
            await queue.ExecuteNonQueryAsync(cancellationToken);
        }
        await mail.QueueForOffice(connection, transaction, office, topic, $"notification:{id}", data, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (id, now);
    }

    /// <summary>The Standard Webhooks payload shape: type, timestamp, data.</summary>
    public static string WebhookBody(string topic, DateTimeOffset at, JsonObject data) =>
        new JsonObject { ["type"] = topic, ["timestamp"] = at, ["data"] = data.DeepClone() }.ToJsonString(Json);

    async Task<(Guid, DateTimeOffset)> Existing(string office, string storedTopic, string subject, Guid? submissionId, CancellationToken cancellationToken)
    {
        await using var find = dataSource.CreateCommand(
            """
            SELECT id, created_at FROM notification.notifications
            WHERE office_number = @office AND topic = @topic AND (subject = @subject OR (submission_id = @submission AND subject IS NULL))
            LIMIT 1
            """);
        find.Parameters.AddWithValue("office", office);
        find.Parameters.AddWithValue("topic", storedTopic);
        find.Parameters.AddWithValue("subject", subject);
        find.Parameters.Add(new NpgsqlParameter("submission", NpgsqlDbType.Uuid) { Value = (object?)submissionId ?? DBNull.Value });
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1));
    }
}
