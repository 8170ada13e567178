using CarePlanMesh.Intake.Submissions.StateMachines;
using Npgsql;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>A submission on a list page, with the received time as stored (the cursor's key) and, in the mailbox, the unit it waits for.</summary>
public sealed record Listed(SubmissionState Item, DateTimeOffset StoredReceivedAt, SubmissionState? WaitingFor);

/// <summary>Filters of the sender's list; null means any.</summary>
public sealed record SentFilter(string? State, string? RecipientOffice, string? ServiceMonth, DateTimeOffset? Since, DateTimeOffset? Until);

/// <summary>Which of the recipient's units the mailbox lists.</summary>
public enum MailboxView { Awaiting, Acknowledged, All }

public sealed partial class SubmissionStore
{
    /// <summary>What a recipient has had in its mailbox: still waiting, acknowledged, or expired unpicked.</summary>
    static readonly string[] Received = [SubmissionStates.AwaitingPickup, SubmissionStates.Acknowledged, SubmissionStates.Expired];

    /// <summary>
    /// The office's submissions, newest first (received time, then id), after <paramref name="after"/> (the last item of
    /// the previous page); one more than <paramref name="limit"/> is read to tell whether another page exists.
    /// </summary>
    public async Task<(IReadOnlyList<Listed> Items, bool More)> ListSent(string office, SentFilter filter, (DateTimeOffset At, Guid Id)? after, int limit,
        CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand();
        var where = new List<string> { "sender_office = @office" };
        command.Parameters.AddWithValue("office", office);
        Filter(command, where, "current_state", "state", filter.State);
        Filter(command, where, "recipient_office", "recipient", filter.RecipientOffice);
        Filter(command, where, "service_month", "month", filter.ServiceMonth);
        if (filter.Since is { } since)
        {
            where.Add("received_at >= @since");
            command.Parameters.AddWithValue("since", since);
        }
        if (filter.Until is { } until)
        {
            where.Add("received_at < @until");
            command.Parameters.AddWithValue("until", until);
        }
        NewestFirstAfter(command, where, after);
        command.CommandText = $"""
            SELECT version, data, received_at, NULL, NULL FROM {Table}
            WHERE {string.Join(" AND ", where)}
            ORDER BY received_at DESC, correlation_id DESC
            LIMIT @limit
            """;
        command.Parameters.AddWithValue("limit", limit + 1);
        await using (command)
            return Page(await ReadListed(command, cancellationToken), limit);
    }

    /// <summary>
    /// The office's mailbox. Awaiting: per sender in ascending 連番 order (the standard's import order), each with the unit
    /// from the same sender it waits for (the nearest lower 連番 still pending, in the mailbox or on its way), after the
    /// key (sender, 連番, received time, id) of <paramref name="after"/>. Acknowledged and all: newest first, after the key
    /// (received time, id).
    /// </summary>
    public async Task<(IReadOnlyList<Listed> Items, bool More)> ListReceived(string office, MailboxView view, string? senderOffice, string? serviceMonth,
        string[]? after, int limit, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand();
        var where = new List<string> { "s.recipient_office = @office" };
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("states", view switch
        {
            MailboxView.Awaiting => new[] { SubmissionStates.AwaitingPickup },
            MailboxView.Acknowledged => [SubmissionStates.Acknowledged],
            _ => Received,
        });
        where.Add("s.current_state = ANY (@states)");
        Filter(command, where, "s.sender_office", "sender", senderOffice);
        Filter(command, where, "s.service_month", "month", serviceMonth);
        string order;
        if (view == MailboxView.Awaiting)
        {
            if (after is [var sender, var unit, var micros, var id])
            {
                where.Add("(s.sender_office, s.send_unit, s.received_at, s.correlation_id) > (@afterSender, @afterUnit, @afterAt, @afterId)");
                command.Parameters.AddWithValue("afterSender", sender);
                command.Parameters.AddWithValue("afterUnit", unit);
                command.Parameters.AddWithValue("afterAt", Edge.Paging.FromMicroseconds(micros)!.Value);
                command.Parameters.AddWithValue("afterId", Guid.Parse(id));
            }
            order = "s.sender_office, s.send_unit, s.received_at, s.correlation_id";
        }
        else
        {
            if (after is [var micros, var id])
            {
                where.Add("(s.received_at, s.correlation_id) < (@afterAt, @afterId)");
                command.Parameters.AddWithValue("afterAt", Edge.Paging.FromMicroseconds(micros)!.Value);
                command.Parameters.AddWithValue("afterId", Guid.Parse(id));
            }
            order = "s.received_at DESC, s.correlation_id DESC";
        }
        command.Parameters.AddWithValue("pending", Pending);
        command.Parameters.AddWithValue("awaiting", view == MailboxView.Awaiting);
        command.CommandText = $"""
            SELECT s.version, s.data, s.received_at, w.version, w.data FROM {Table} s
            LEFT JOIN LATERAL (
                SELECT p.version, p.data FROM {Table} p
                WHERE @awaiting AND p.recipient_office = s.recipient_office AND p.sender_office = s.sender_office
                  AND p.current_state = ANY (@pending) AND p.send_unit < s.send_unit
                ORDER BY p.send_unit DESC, p.received_at DESC
                LIMIT 1) w ON true
            WHERE {string.Join(" AND ", where)}
            ORDER BY {order}
            LIMIT @limit
            """;
        command.Parameters.AddWithValue("limit", limit + 1);
        await using (command)
            return Page(await ReadListed(command, cancellationToken), limit);
    }

    static void Filter(NpgsqlCommand command, List<string> where, string column, string parameter, string? value)
    {
        if (value is null)
            return;
        where.Add($"{column} = @{parameter}");
        command.Parameters.AddWithValue(parameter, value);
    }

    static void NewestFirstAfter(NpgsqlCommand command, List<string> where, (DateTimeOffset At, Guid Id)? after)
    {
        if (after is not { } key)
            return;
        where.Add("(received_at, correlation_id) < (@afterAt, @afterId)");
        command.Parameters.AddWithValue("afterAt", key.At);
        command.Parameters.AddWithValue("afterId", key.Id);
    }

    static (IReadOnlyList<Listed>, bool) Page(List<Listed> rows, int limit) =>
        rows.Count > limit ? (rows.Take(limit).ToList(), true) : (rows, false);

    static async Task<List<Listed>> ReadListed(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<Listed>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var item = Deserialize(reader.GetString(1), reader.GetInt32(0));
            var waitingFor = reader.IsDBNull(4) ? null : Deserialize(reader.GetString(4), reader.GetInt32(3));
            list.Add(new Listed(item, reader.GetFieldValue<DateTimeOffset>(2), waitingFor));
        }
        return list;
    }
}
