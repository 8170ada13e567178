using System.Net.Sockets;
using Npgsql;

namespace CarePlanMesh.LoadHarness;

/// <summary>
/// PostgreSQL's own counters: transactions committed and rolled back in every database, and the WAL written and flushed
/// (<c>pg_stat_wal</c>). Unlike CPU time they do not depend on how busy the host is, so runs of different hours and days
/// compare on them. PostgreSQL publishes a backend's counts within about a second of its transaction, and each snapshot is
/// itself one transaction.
/// </summary>
public sealed class DatabaseCounters(string connectionString)
{
    const string Query = """
        SELECT (SELECT sum(xact_commit)::bigint FROM pg_stat_database), (SELECT sum(xact_rollback)::bigint FROM pg_stat_database),
               wal_records, wal_bytes::bigint, wal_sync
        FROM pg_stat_wal
        """;

    /// <summary>The counters now, or why they could not be read.</summary>
    public async Task<(DatabaseSnapshot? Snapshot, string? Problem)> Read(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(Query, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (new DatabaseSnapshot(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)), null);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or ArgumentException)
        {
            return (null, e.Message);
        }
    }
}

public sealed record DatabaseSnapshot(long Commits, long Rollbacks, long WalRecords, long WalBytes, long WalSyncs)
{
    public DatabaseSnapshot Since(DatabaseSnapshot before) =>
        new(Commits - before.Commits, Rollbacks - before.Rollbacks, WalRecords - before.WalRecords, WalBytes - before.WalBytes, WalSyncs - before.WalSyncs);
}

/// <summary>What PostgreSQL did in the measured window, or why it is not known.</summary>
public sealed record DatabaseUse(DatabaseSnapshot? Counted, string? Problem);
