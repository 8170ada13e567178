using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace CarePlanMesh.Intake.Audit;

/// <summary>One security-relevant action: who (office), what, on which subject (an id), and how it ended. Never content.</summary>
public sealed record AuditEntry(string? Office, string Action, string? Subject, bool Allowed, int Status, string? Reason);

/// <summary>What verifying the chain found: how many rows, and the first one whose hash does not follow.</summary>
public sealed record AuditVerification(bool Valid, long Entries, long? FirstBrokenSeq, string? Problem);

/// <summary>
/// The append-only, hash-chained audit trail (issue #4 §7). Each row's hash is SHA-256 over the previous row's hash and
/// the row's own fields in a fixed text form; appends are serialised by an advisory lock so the chain never forks,
/// even with several intake replicas.
/// </summary>
public sealed class AuditTrail(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public async Task Append(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The lock and the read of the chain's end go in one round trip; the lock is held to the commit.
        long seq = 1;
        var previous = Genesis;
        await using (var last = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtextextended('intake.audit_log', 0))"),
                new NpgsqlBatchCommand("SELECT seq, hash FROM intake.audit_log ORDER BY seq DESC LIMIT 1"),
            },
        })
        await using (var reader = await last.ExecuteReaderAsync(cancellationToken))
        {
            await reader.NextResultAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
                (seq, previous) = (reader.GetInt64(0) + 1, reader.GetString(1));
        }

        // PostgreSQL keeps microseconds: hash exactly what is stored.
        var now = clock.GetUtcNow();
        var at = new DateTimeOffset(now.Ticks - now.Ticks % 10, TimeSpan.Zero);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO intake.audit_log (seq, at, office, action, subject, outcome, status, reason, previous_hash, hash)
            VALUES (@seq, @at, @office, @action, @subject, @outcome, @status, @reason, @previous, @hash)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("seq", seq);
            insert.Parameters.AddWithValue("at", at);
            insert.Parameters.Add(new NpgsqlParameter<string?>("office", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = entry.Office });
            insert.Parameters.AddWithValue("action", entry.Action);
            insert.Parameters.Add(new NpgsqlParameter<string?>("subject", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = entry.Subject });
            insert.Parameters.AddWithValue("outcome", entry.Allowed ? "allowed" : "refused");
            insert.Parameters.AddWithValue("status", entry.Status);
            insert.Parameters.Add(new NpgsqlParameter<string?>("reason", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = entry.Reason });
            insert.Parameters.AddWithValue("previous", previous);
            insert.Parameters.AddWithValue("hash", Hash(previous, seq, at, entry.Office, entry.Action, entry.Subject, entry.Allowed ? "allowed" : "refused", entry.Status, entry.Reason));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Recomputes the whole chain in order and names the first row that does not follow from the one before.</summary>
    public async Task<AuditVerification> Verify(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT seq, at, office, action, subject, outcome, status, reason, previous_hash, hash FROM intake.audit_log ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var previous = Genesis;
        long expectedSeq = 1, count = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            count++;
            var seq = reader.GetInt64(0);
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            if (seq != expectedSeq)
                return new AuditVerification(false, count, expectedSeq, $"entry {expectedSeq} is missing");
            if (reader.GetString(8) != previous)
                return new AuditVerification(false, count, seq, $"entry {seq} does not point at the hash of entry {seq - 1}");
            var hash = Hash(previous, seq, reader.GetFieldValue<DateTimeOffset>(1), Text(2), reader.GetString(3), Text(4), reader.GetString(5), reader.GetInt32(6), Text(7));
            if (reader.GetString(9) != hash)
                return new AuditVerification(false, count, seq, $"entry {seq} was changed after it was written");
            previous = hash;
            expectedSeq++;
        }
        return new AuditVerification(true, count, null, null);
    }

    static string Hash(string previous, long seq, DateTimeOffset at, string? office, string action, string? subject, string outcome, int status, string? reason)
    {
        var canonical = string.Join('\n', previous, seq.ToString(CultureInfo.InvariantCulture),
            at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            office ?? "", action, subject ?? "", outcome, status.ToString(CultureInfo.InvariantCulture), reason ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
