using System.Text.Json.Nodes;
using CarePlanMesh.Notification.Notifications;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Notification.Email;

/// <summary>Queues rendered e-mails in notification.emails; <see cref="MailDispatcher"/> sends them.</summary>
public sealed class MailOutbox(IOptions<NotificationOptions> options, TimeProvider clock)
{
    /// <summary>Queues the topic's e-mail to the office when it has an address and wants the topic by e-mail.</summary>
    public async Task QueueForOffice(NpgsqlConnection connection, NpgsqlTransaction? transaction, string office, string topic, string dedupKey,
        JsonObject data, CancellationToken cancellationToken)
    {
        string? email = null;
        var name = "";
        string[]? chosen = null;
        await using (var find = new NpgsqlCommand(
            """
            SELECT o.email, o.name, p.email_topics
            FROM (SELECT @office AS office_number) q
            LEFT JOIN notification.offices o ON o.office_number = q.office_number
            LEFT JOIN notification.preferences p ON p.office_number = q.office_number
            """, connection, transaction))
        {
            find.Parameters.AddWithValue("office", office);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            email = reader.IsDBNull(0) ? null : reader.GetString(0);
            name = reader.IsDBNull(1) ? "" : reader.GetString(1);
            chosen = reader.IsDBNull(2) ? null : reader.GetFieldValue<string[]>(2);
        }
        var wanted = topic == Topics.WebhookDisabled || (chosen ?? [.. Topics.EmailDefaults]).Contains(topic);
        if (email is null || !wanted)
            return;
        var (subject, body) = MailTemplates.Render(topic, data, name, options.Value.PublicUrl);
        await Queue(connection, transaction, email, subject, body, dedupKey, cancellationToken);
    }

    public async Task Queue(NpgsqlConnection connection, NpgsqlTransaction? transaction, string recipient, string subject, string body, string dedupKey,
        CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO notification.emails (id, dedup_key, recipient, subject, body, created_at, next_attempt_at, traceparent)
            VALUES (@id, @dedup, @recipient, @subject, @body, @at, @at, @traceparent)
            ON CONFLICT (dedup_key) DO NOTHING
            """, connection, transaction);
        insert.Parameters.AddWithValue("id", NewId.NextGuid());
        insert.Parameters.AddWithValue("dedup", dedupKey);
        insert.Parameters.AddWithValue("recipient", recipient);
        insert.Parameters.AddWithValue("subject", subject);
        insert.Parameters.AddWithValue("body", body);
        insert.Parameters.AddWithValue("at", clock.GetUtcNow());
        insert.Parameters.Add(QueuedTrace.Parameter());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
