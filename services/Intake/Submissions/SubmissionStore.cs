using System.Text.Json;
using CarePlanMesh.Hosting.Sagas;
using CarePlanMesh.Intake.StateMachines;
using Npgsql;
using NpgsqlTypes;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>Intake's reads and writes of the saga table outside the state machine: creating an instance, the status and mailbox views, the sweep.</summary>
public sealed class SubmissionStore(NpgsqlDataSource dataSource)
{
    public const string Table = "intake.submissions";

    /// <summary>The one description of how the saga is stored, shared by the saga repository and this store.</summary>
    public static void Configure(NpgsqlSagaRepositoryOptions<SubmissionState> options)
    {
        options.Table = Table;
        options
            .Project("sender_office", NpgsqlDbType.Text, s => s.SenderOffice)
            .Project("recipient_office", NpgsqlDbType.Text, s => s.RecipientOffice)
            .Project("send_unit", NpgsqlDbType.Text, s => s.SendUnit)
            .Project("received_at", NpgsqlDbType.TimestampTz, s => s.ReceivedAt)
            .Project("deadline", NpgsqlDbType.TimestampTz, s => s.Deadline);
    }

    static readonly NpgsqlSagaRepositoryOptions<SubmissionState> Options = Build();

    static NpgsqlSagaRepositoryOptions<SubmissionState> Build()
    {
        var options = new NpgsqlSagaRepositoryOptions<SubmissionState>();
        Configure(options);
        return options;
    }

    public async Task Create(SubmissionState submission, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var database = new NpgsqlSagaDatabaseContext<SubmissionState>(connection, transaction, Options);
        if (!await database.Insert(submission, cancellationToken))
            throw new InvalidOperationException($"Submission {submission.CorrelationId} exists already.");
        await database.Commit(cancellationToken);
    }

    public async Task<SubmissionState?> Find(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT version, data FROM {Table} WHERE correlation_id = @id");
        command.Parameters.AddWithValue("id", id);
        return (await Read(command, cancellationToken)).FirstOrDefault();
    }

    /// <summary>The office's deliveries awaiting pickup, per sender in ascending 連番 order (the standard's import order).</summary>
    public async Task<IReadOnlyList<SubmissionState>> Mailbox(string office, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT version, data FROM {Table}
            WHERE recipient_office = @office AND current_state = 'AwaitingPickup'
            ORDER BY sender_office, send_unit, received_at
            LIMIT 1000
            """);
        command.Parameters.AddWithValue("office", office);
        return await Read(command, cancellationToken);
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> instances whose deadline has passed, pushing their deadline out by
    /// <paramref name="lease"/> so that other replicas (SKIP LOCKED) and the next sweep leave them alone meanwhile.
    /// </summary>
    public async Task<IReadOnlyList<(Guid Id, string State, DateTimeOffset Deadline)>> ClaimOverdue(TimeSpan lease, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            WITH overdue AS (
                SELECT correlation_id, deadline FROM {Table}
                WHERE deadline <= now()
                ORDER BY deadline
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            UPDATE {Table} s SET deadline = now() + @lease
            FROM overdue
            WHERE s.correlation_id = overdue.correlation_id
            RETURNING s.correlation_id, s.current_state, overdue.deadline
            """);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("lease", lease);
        var claimed = new List<(Guid, string, DateTimeOffset)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            claimed.Add((reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return claimed;
    }

    static async Task<IReadOnlyList<SubmissionState>> Read(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<SubmissionState>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var submission = JsonSerializer.Deserialize<SubmissionState>(reader.GetString(1), Options.SerializerOptions)!;
            submission.Version = reader.GetInt32(0);
            list.Add(submission);
        }
        return list;
    }
}
