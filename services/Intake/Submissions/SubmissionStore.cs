using System.Text.Json;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.ServiceDefaults.Sagas;
using CarePlanMesh.Intake.Submissions.StateMachines;
using Npgsql;
using NpgsqlTypes;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>A finished submission and the claim-check entries it still refers to.</summary>
public sealed record FinishedSubmission(Guid Id, Uri? Payload, Uri? SealedPackage, Uri? DefectReport);

/// <summary>
/// Intake's reads and writes of the saga table (intake.submissions) outside the state machine: creating an instance, the
/// status and mailbox views, duplicate detection, the sweep and the retention purge.
/// </summary>
public sealed partial class SubmissionStore(NpgsqlDataSource dataSource)
{
    const string Table = "intake.submissions";

    /// <summary>The states between receipt and the mailbox: the pipeline that admission control bounds.</summary>
    static readonly string[] InPipeline = [SubmissionStates.Received, SubmissionStates.Validating, SubmissionStates.Sealing, SubmissionStates.Routing];
    static readonly string[] Pending = [.. InPipeline, SubmissionStates.AwaitingPickup];
    /// <summary>Ended without being delivered: the same content sent again is not a duplicate of these.</summary>
    static readonly string[] Undelivered = [SubmissionStates.Rejected, SubmissionStates.Failed, SubmissionStates.Withdrawn];

    /// <summary>The one description of how the saga is stored, shared by the saga repository and this store.</summary>
    public static void Configure(NpgsqlSagaRepositoryOptions<SubmissionState> options)
    {
        options.Table = Table;
        options.Committed = SubmissionMetrics.Committed;
        options
            .Project("sender_office", NpgsqlDbType.Text, s => s.SenderOffice)
            .Project("recipient_office", NpgsqlDbType.Text, s => s.RecipientOffice)
            .Project("send_unit", NpgsqlDbType.Text, s => s.SendUnit)
            .Project("received_at", NpgsqlDbType.TimestampTz, s => s.ReceivedAt)
            .Project("deadline", NpgsqlDbType.TimestampTz, s => s.Deadline)
            // The saga's own deadline, which the sweeper's lease (on deadline) does not move.
            .Project("state_deadline", NpgsqlDbType.TimestampTz, s => s.Deadline)
            .Project("picked_up_at", NpgsqlDbType.TimestampTz, s => s.PickedUpAt)
            .Project("content_digest", NpgsqlDbType.Text, s => s.ContentDigest)
            .Project("finished_at", NpgsqlDbType.TimestampTz, s => s.FinishedAt)
            .Project("payload_address", NpgsqlDbType.Text, s => s.PayloadAddress?.OriginalString)
            .Project("sealed_package_address", NpgsqlDbType.Text, s => s.SealedPackageAddress?.OriginalString)
            .Project("defect_report_address", NpgsqlDbType.Text, s => s.DefectReportAddress?.OriginalString)
            .Project("service_month", NpgsqlDbType.Text, s => s.ServiceMonth);
    }

    /// <summary>The gauges' queries (<see cref="SubmissionMetrics"/>), each answering (label, value) rows.</summary>
    public const string ActiveByStateQuery = $"SELECT current_state, count(*) FROM {Table} WHERE finished_at IS NULL GROUP BY current_state";
    public const string WaitingForPickupQuery = $"SELECT NULL, count(*) FROM {Table} WHERE current_state = '{SubmissionStates.AwaitingPickup}'";
    public const string OldestWaitingAgeQuery =
        $"SELECT NULL, coalesce(extract(epoch FROM now() - min(received_at)), 0) FROM {Table} WHERE current_state = '{SubmissionStates.AwaitingPickup}'";

    /// <summary>
    /// The submissions between receipt and the mailbox, which admission control bounds. The states are literals, not a
    /// parameter, so that the planner proves the partial index of migration 0016 applies.
    /// </summary>
    public async Task<long> CountInPipeline(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CountInPipelineQuery);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    static readonly string CountInPipelineQuery =
        $"SELECT count(*) FROM {Table} WHERE current_state IN ({string.Join(", ", InPipeline.Select(state => $"'{state}'"))})";

    static readonly NpgsqlSagaRepositoryOptions<SubmissionState> Options = Build();

    static NpgsqlSagaRepositoryOptions<SubmissionState> Build()
    {
        var options = new NpgsqlSagaRepositoryOptions<SubmissionState>();
        Configure(options);
        return options;
    }

    /// <summary>
    /// Inserts a new submission's saga row and, in the same implicit transaction, its payload. Ids are never reused
    /// (NewId); should one be, the payload is left to expire with every claim check.
    /// </summary>
    public async Task Create(SubmissionState submission, PayloadInsert payload, CancellationToken cancellationToken)
    {
        await using var database = new NpgsqlSagaDatabaseContext<SubmissionState>(await dataSource.OpenConnectionAsync(cancellationToken), Options);
        if (!await database.Insert(submission, [payload.Command], cancellationToken))
            throw new InvalidOperationException($"Submission {submission.CorrelationId} exists already.");
        await database.Commit(cancellationToken);
    }

    public async Task<SubmissionState?> Find(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT version, data FROM {Table} WHERE correlation_id = @id");
        command.Parameters.AddWithValue("id", id);
        return (await Read(command, cancellationToken)).FirstOrDefault();
    }

    /// <summary>The submission if <paramref name="office"/> sent it; otherwise null, as if there were none, so that ids do not leak.</summary>
    public async Task<SubmissionState?> FindFor(Guid id, string office, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT version, data FROM {Table} WHERE correlation_id = @id AND sender_office = @office");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("office", office);
        return (await Read(command, cancellationToken)).FirstOrDefault();
    }

    /// <summary>The submission if <paramref name="office"/> is its recipient; otherwise null, as if there were none.</summary>
    public async Task<SubmissionState?> FindReceivedBy(Guid id, string office, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT version, data FROM {Table} WHERE correlation_id = @id AND recipient_office = @office");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("office", office);
        return (await Read(command, cancellationToken)).FirstOrDefault();
    }

    /// <summary>The newest submission with the same sender, recipient and content received since <paramref name="since"/> that still counts.</summary>
    public async Task<Guid?> FindDuplicate(string sender, string recipient, string contentDigest, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT correlation_id FROM {Table}
            WHERE sender_office = @sender AND recipient_office = @recipient AND content_digest = @digest AND received_at >= @since
              AND current_state <> ALL (@undelivered)
            ORDER BY received_at DESC
            LIMIT 1
            """);
        command.Parameters.AddWithValue("sender", sender);
        command.Parameters.AddWithValue("recipient", recipient);
        command.Parameters.AddWithValue("digest", contentDigest);
        command.Parameters.AddWithValue("since", since);
        command.Parameters.AddWithValue("undelivered", Undelivered);
        return await command.ExecuteScalarAsync(cancellationToken) as Guid?;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> instances whose deadline has passed, pushing their deadline out by
    /// <paramref name="lease"/> so that other replicas (SKIP LOCKED) and the next sweep leave them alone meanwhile.
    /// </summary>
    public async Task<IReadOnlyList<(Guid Id, string State, DateTimeOffset Deadline, string? TraceParent)>> ClaimOverdue(TimeSpan lease, int limit, CancellationToken cancellationToken)
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
            RETURNING s.correlation_id, s.current_state, overdue.deadline, s.data->>'traceParent'
            """);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("lease", lease);
        var claimed = new List<(Guid, string, DateTimeOffset, string?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            claimed.Add((reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        return claimed;
    }

    /// <summary>Finished before the point and with their packages still stored, oldest first, locked in the transaction (other replicas skip them).</summary>
    public Task<IReadOnlyList<FinishedSubmission>> ClaimUnpurged(NpgsqlTransaction transaction, DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken) =>
        ClaimFinished(transaction, "purged_at IS NULL", finishedBefore, limit, cancellationToken);

    /// <summary>Finished before the point and with their packages purged, oldest first, locked in the transaction (other replicas skip them).</summary>
    public Task<IReadOnlyList<FinishedSubmission>> ClaimPurged(NpgsqlTransaction transaction, DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken) =>
        ClaimFinished(transaction, "purged_at IS NOT NULL", finishedBefore, limit, cancellationToken);

    static async Task<IReadOnlyList<FinishedSubmission>> ClaimFinished(NpgsqlTransaction transaction, string condition, DateTimeOffset finishedBefore, int limit,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT correlation_id, payload_address, sealed_package_address, defect_report_address FROM {Table}
            WHERE finished_at < @before AND {condition}
            ORDER BY finished_at
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
            """, transaction.Connection, transaction);
        command.Parameters.AddWithValue("before", finishedBefore);
        command.Parameters.AddWithValue("limit", limit);
        var claimed = new List<FinishedSubmission>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        Uri? Address(int i) => reader.IsDBNull(i) ? null : new Uri(reader.GetString(i));
        while (await reader.ReadAsync(cancellationToken))
            claimed.Add(new FinishedSubmission(reader.GetGuid(0), Address(1), Address(2), Address(3)));
        return claimed;
    }

    /// <summary>Records that the submissions' payloads were deleted; their metadata stays.</summary>
    public async Task MarkPurged(NpgsqlTransaction transaction, Guid[] ids, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"UPDATE {Table} SET purged_at = @at WHERE correlation_id = ANY (@ids)", transaction.Connection, transaction);
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("ids", ids);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task Delete(NpgsqlTransaction transaction, Guid[] ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"DELETE FROM {Table} WHERE correlation_id = ANY (@ids)", transaction.Connection, transaction);
        command.Parameters.AddWithValue("ids", ids);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<IReadOnlyList<SubmissionState>> Read(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<SubmissionState>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            list.Add(Deserialize(reader.GetString(1), reader.GetInt32(0)));
        return list;
    }

    static SubmissionState Deserialize(string data, int version)
    {
        var submission = JsonSerializer.Deserialize<SubmissionState>(data, Options.SerializerOptions)!;
        submission.Version = version;
        return submission;
    }
}
