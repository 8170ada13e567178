using Npgsql;

namespace CarePlanMesh.Intake.Receipts;

/// <summary>intake.receipts: the signed receipts, one per submission and kind, kept as first issued.</summary>
public sealed class ReceiptStore(NpgsqlDataSource dataSource)
{
    const string Table = "intake.receipts";

    public async Task<byte[]?> Find(Guid submissionId, string kind, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT cms FROM {Table} WHERE submission_id = @id AND kind = @kind");
        command.Parameters.AddWithValue("id", submissionId);
        command.Parameters.AddWithValue("kind", kind);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <summary>Keeps the first receipt issued: a concurrent second request gets the same one.</summary>
    public async Task<byte[]> Add(Guid submissionId, string kind, byte[] cms, DateTimeOffset issuedAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"INSERT INTO {Table} (submission_id, kind, cms, issued_at) VALUES (@id, @kind, @cms, @at) ON CONFLICT DO NOTHING");
        command.Parameters.AddWithValue("id", submissionId);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("cms", cms);
        command.Parameters.AddWithValue("at", issuedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? cms : (await Find(submissionId, kind, cancellationToken))!;
    }

    public async Task DeleteFor(NpgsqlTransaction transaction, Guid[] submissionIds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"DELETE FROM {Table} WHERE submission_id = ANY (@ids)", transaction.Connection, transaction);
        command.Parameters.AddWithValue("ids", submissionIds);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
