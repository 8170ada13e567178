using System.Diagnostics;
using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Submissions.StateMachines;
using CarePlanMesh.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>
/// Reminds the recipient of a delivery it has not picked up: once <see cref="SubmissionOptions.PickupReminderAfter"/> after
/// it arrived and once <see cref="SubmissionOptions.PickupReminderBefore"/> before its deadline. Run by the
/// <see cref="SubmissionSweeper"/> in every intake replica: the insert keyed by (submission, reminder) decides which replica
/// tells notification, and it commits only after the command is sent, so a crash repeats a reminder (notification drops
/// the repeat) rather than losing it.
/// </summary>
public sealed class PickupReminderCheck(NpgsqlDataSource dataSource, IBus bus, IOptions<SubmissionOptions> options)
{
    public async Task<int> RemindOnce(int limit, CancellationToken cancellationToken)
    {
        var period = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // A delivery arrived PickupPeriod before its deadline. The saga's own deadline is in its data: the deadline column (indexed,
        // so it narrows the scan) is pushed out while the sweeper holds a lease on an expiring row.
        await using var command = new NpgsqlCommand(
            $"""
            WITH reminded AS (
            INSERT INTO intake.pickup_reminders (submission_id, reminder, recipient_office, deadline, reminded_at)
            SELECT s.correlation_id, r.reminder, s.recipient_office, d.deadline, now()
            FROM intake.submissions s
            CROSS JOIN LATERAL (SELECT (s.data->>'deadline')::timestamptz AS deadline) d
            CROSS JOIN LATERAL (VALUES (@unpicked, d.deadline - @period + @after), (@near, d.deadline - @before)) AS r (reminder, due)
            WHERE s.current_state = '{SubmissionStates.AwaitingPickup}' AND s.data->>'pickedUpAt' IS NULL
              AND s.deadline <= now() + greatest(@period - @after, @before)
              AND d.deadline > now() AND r.due <= now()
              AND NOT EXISTS (SELECT 1 FROM intake.pickup_reminders p WHERE p.submission_id = s.correlation_id AND p.reminder = r.reminder)
            ORDER BY r.due
            LIMIT @limit
            ON CONFLICT DO NOTHING
            RETURNING submission_id, reminder, recipient_office, deadline)
            SELECT r.submission_id, r.reminder, r.recipient_office, r.deadline, s.data->>'traceParent'
            FROM reminded r JOIN intake.submissions s ON s.correlation_id = r.submission_id
            """, connection, transaction);
        command.Parameters.AddWithValue("unpicked", PickupReminders.Unpicked);
        command.Parameters.AddWithValue("near", PickupReminders.DeadlineNear);
        command.Parameters.AddWithValue("period", period.PickupPeriod);
        command.Parameters.AddWithValue("after", period.PickupReminderAfter);
        command.Parameters.AddWithValue("before", period.PickupReminderBefore);
        command.Parameters.AddWithValue("limit", limit);
        var due = new List<(NotifyOffice Reminder, string? TraceParent)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                due.Add((new NotifyOffice
                {
                    SubmissionId = reader.GetGuid(0),
                    Reminder = reader.GetString(1),
                    OfficeNumber = reader.GetString(2),
                    Deadline = reader.GetFieldValue<DateTimeOffset>(3),
                    Topic = NotificationTopics.DeliveryPickupReminder,
                }, reader.IsDBNull(4) ? null : reader.GetString(4)));

        var endpoint = await bus.GetSendEndpoint(Queues.Address(Queues.NotifyOffice));
        foreach (var (reminder, traceParent) in due)
        {
            // Part of the submission's trace, like the sweeper's re-drives.
            using var activity = StoredTraces.Continue("pickup reminder", ActivityKind.Internal, traceParent);
            activity?.SetTag("careplanmesh.submission_id", reminder.SubmissionId.ToString());
            await endpoint.Send(reminder, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }
}
