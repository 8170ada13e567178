using Npgsql;

namespace CarePlanMesh.Intake.Idempotency;

/// <summary>An answer stored for replay.</summary>
public sealed record StoredAnswer(int Status, string? ContentType, string? Location, byte[] Body);

/// <summary>What a request with an Idempotency-Key finds.</summary>
public abstract record KeyClaim
{
    /// <summary>The key is this request's: run it and record the answer.</summary>
    public sealed record Claimed : KeyClaim;
    /// <summary>The same request was answered before: replay the answer.</summary>
    public sealed record Answered(StoredAnswer Answer) : KeyClaim;
    /// <summary>The same request is still running elsewhere.</summary>
    public sealed record Running : KeyClaim;
    /// <summary>The key was used for a different request.</summary>
    public sealed record OtherRequest : KeyClaim;
}

/// <summary>Owns intake.idempotency_keys: claiming a key, recording and replaying its answer, purging old keys.</summary>
public sealed class IdempotencyStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Claims the key for this request unless it is taken: a key older than <paramref name="window"/>, or one whose
    /// first request with the same hash stopped answering (lease passed), is taken over.
    /// </summary>
    public async Task<KeyClaim> Claim(string office, string key, string hash, TimeSpan window, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using (var claim = dataSource.CreateCommand(
            """
            INSERT INTO intake.idempotency_keys AS k (office_number, idempotency_key, request_hash, created_at, locked_until)
            VALUES (@office, @key, @hash, now(), now() + @lease)
            ON CONFLICT (office_number, idempotency_key) DO UPDATE
                SET request_hash = EXCLUDED.request_hash, status = NULL, content_type = NULL, location = NULL, body = NULL,
                    created_at = EXCLUDED.created_at, locked_until = EXCLUDED.locked_until
                WHERE k.created_at < now() - @window
                   OR (k.status IS NULL AND k.locked_until < now() AND k.request_hash = EXCLUDED.request_hash)
            RETURNING 1
            """))
        {
            claim.Parameters.AddWithValue("office", office);
            claim.Parameters.AddWithValue("key", key);
            claim.Parameters.AddWithValue("hash", hash);
            claim.Parameters.AddWithValue("lease", lease);
            claim.Parameters.AddWithValue("window", window);
            if (await claim.ExecuteScalarAsync(cancellationToken) is not null)
                return new KeyClaim.Claimed();
        }
        return await Find(office, key, hash, cancellationToken) ?? new KeyClaim.Running();
    }

    /// <summary>The key's state for a request with <paramref name="hash"/>, or null when the key is gone (released).</summary>
    public async Task<KeyClaim?> Find(string office, string key, string hash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT request_hash, status, content_type, location, body FROM intake.idempotency_keys
            WHERE office_number = @office AND idempotency_key = @key
            """);
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        if (reader.GetString(0) != hash)
            return new KeyClaim.OtherRequest();
        if (reader.IsDBNull(1))
            return new KeyClaim.Running();
        return new KeyClaim.Answered(new StoredAnswer(reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<byte[]>(4)));
    }

    public async Task Record(string office, string key, StoredAnswer answer, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE intake.idempotency_keys SET status = @status, content_type = @type, location = @location, body = @body
            WHERE office_number = @office AND idempotency_key = @key
            """);
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("status", answer.Status);
        command.Parameters.AddWithValue("type", (object?)answer.ContentType ?? DBNull.Value);
        command.Parameters.AddWithValue("location", (object?)answer.Location ?? DBNull.Value);
        command.Parameters.AddWithValue("body", answer.Body);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Frees a key whose request failed without an answer worth keeping (5xx, 429), so that a retry runs again.</summary>
    public async Task Release(string office, string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM intake.idempotency_keys WHERE office_number = @office AND idempotency_key = @key AND status IS NULL");
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> Purge(TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM intake.idempotency_keys WHERE created_at < now() - @window");
        command.Parameters.AddWithValue("window", window);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
