using CarePlanMesh.ServiceDefaults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Intake.RateLimits;

/// <summary>
/// How many intake replicas are running, so that each enforces its share of an office's limit (limit / replicas) and the
/// configured limit holds for the office across all of them. Every replica writes a heartbeat row in intake.replicas and
/// counts the rows seen within three heartbeats; one query per heartbeat, none per request. Until the first count, and
/// while PostgreSQL does not answer, the last count stands (1 at start: the full limit on this replica).
/// </summary>
public sealed class IntakeReplicas(NpgsqlDataSource dataSource, IOptions<RateLimitOptions> options, ILogger<IntakeReplicas> logger)
    : PeriodicService(options.Value.ReplicaHeartbeat, logger)
{
    readonly Guid id = Guid.NewGuid();
    int live = 1;

    /// <summary>The replicas running, this one included.</summary>
    public int Live => Volatile.Read(ref live);

    protected override async Task RunOnce(CancellationToken cancellationToken)
    {
        // The statement sees the table as it was before its own insert: this replica is the 1 added to the others.
        await using var command = dataSource.CreateCommand(
            """
            WITH beat AS (
                INSERT INTO intake.replicas (id, seen_at) VALUES (@id, now())
                ON CONFLICT (id) DO UPDATE SET seen_at = EXCLUDED.seen_at),
            gone AS (
                DELETE FROM intake.replicas WHERE id <> @id AND seen_at < now() - @window)
            SELECT 1 + count(*) FROM intake.replicas WHERE id <> @id AND seen_at >= now() - @window
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("window", options.Value.ReplicaHeartbeat * 3);
        var count = (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (Interlocked.Exchange(ref live, count) != count)
            logger.LogInformation("{Replicas} intake replicas share each office's rate limit", count);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // The others take over this replica's share at their next heartbeat instead of after three.
        try
        {
            await using var command = dataSource.CreateCommand("DELETE FROM intake.replicas WHERE id = @id");
            command.Parameters.AddWithValue("id", id);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            logger.LogWarning("Could not remove this replica's heartbeat ({ExceptionType}); the others stop counting it within three heartbeats", exception.GetType().Name);
        }
    }
}
