using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Submissions.StateMachines;
using Npgsql;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>A reminder that is due: which delivery, which reminder, to whom, its pickup deadline and the submission's stored trace.</summary>
public sealed record DueReminder(Guid SubmissionId, string Reminder, string RecipientOffice, DateTimeOffset Deadline, string? TraceParent);

/// <summary>
/// intake.pickup_reminders: which reminders each delivery has had. Records the due ones and commits only after the caller
/// has told notification, so a crash repeats a reminder (notification drops the repeat) rather than losing it.
/// </summary>
public sealed class PickupReminderStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Records up to <paramref name="limit"/> reminders that are due — <paramref name="after"/> after a delivery arrived
    /// (<paramref name="period"/> before its deadline) and <paramref name="before"/> before its deadline, for deliveries still
    /// awaiting their first pickup — hands them to <paramref name="tell"/>, then commits. Another replica recording the same
    /// reminder first makes this one skip it.
    /// </summary>
    public async Task<int> RecordDue(TimeSpan period, TimeSpan after, TimeSpan before, int limit,
        Func<IReadOnlyList<DueReminder>, CancellationToken, Task> tell, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // state_deadline is the saga's own deadline; the deadline column (indexed, so it narrows the scan) is pushed out
        // while the sweeper holds a lease on an expiring row.
        await using var command = new NpgsqlCommand(
            $"""
            WITH reminded AS (
            INSERT INTO intake.pickup_reminders (submission_id, reminder, recipient_office, deadline, reminded_at)
            SELECT s.correlation_id, r.reminder, s.recipient_office, s.state_deadline, now()
            FROM intake.submissions s
            CROSS JOIN LATERAL (VALUES (@unpicked, s.state_deadline - @period + @after), (@near, s.state_deadline - @before)) AS r (reminder, due)
            WHERE s.current_state = '{SubmissionStates.AwaitingPickup}' AND s.picked_up_at IS NULL
              AND s.deadline <= now() + greatest(@period - @after, @before)
              AND s.state_deadline > now() AND r.due <= now()
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
        command.Parameters.AddWithValue("period", period);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("before", before);
        command.Parameters.AddWithValue("limit", limit);
        var due = new List<DueReminder>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                due.Add(new DueReminder(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
        await tell(due, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }
}
