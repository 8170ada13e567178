using MassTransit;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.MessageData;

/// <summary>
/// MassTransit claim-check store in PostgreSQL (schema messagedata), encrypted at rest (<see cref="PayloadEncryption"/>).
/// Addresses look like urn:careplanmesh:payload:&lt;uuid&gt;:&lt;key id&gt;: the key id travels in the reference, so any
/// configured key, old or active, decrypts what it wrote. Besides MassTransit's two methods it can delete a payload,
/// which crypto does once the plaintext is sealed.
/// </summary>
public sealed class PostgresMessageDataRepository(NpgsqlDataSource dataSource, PayloadEncryption encryption, TimeProvider clock) : IMessageDataRepository
{
    const string Prefix = "urn:careplanmesh:payload:";

    public async Task<Stream> Get(Uri address, CancellationToken cancellationToken = default)
    {
        var (id, keyId) = Parse(address);
        await using var command = dataSource.CreateCommand(
            "SELECT content FROM messagedata.payloads WHERE id = @id AND (expires_at IS NULL OR expires_at > now())");
        command.Parameters.AddWithValue("id", id);
        var content = await command.ExecuteScalarAsync(cancellationToken) as byte[]
            ?? throw new MessageDataNotFoundException(address);
        return new MemoryStream(encryption.Decrypt(id, keyId, content), writable: false);
    }

    public async Task<Uri> Put(Stream stream, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        var insert = Insert(buffer.ToArray(), timeToLive);
        await Write([insert], cancellationToken);
        return insert.Address;
    }

    /// <summary>Writes several payloads in one batch: one implicit transaction, one commit and one round trip for all; none, nothing.</summary>
    public async Task Write(IReadOnlyList<PayloadInsert> inserts, CancellationToken cancellationToken = default)
    {
        if (inserts.Count == 0)
            return;
        await using var batch = dataSource.CreateBatch();
        foreach (var insert in inserts)
            batch.BatchCommands.Add(insert.Command);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The insert of a payload, for a caller to send in one batch with the write that refers to it: PostgreSQL runs a
    /// batch as one implicit transaction, so both commit together, in one commit and one round trip instead of two.
    /// </summary>
    public PayloadInsert Insert(byte[] content, TimeSpan? timeToLive = null)
    {
        var id = Guid.CreateVersion7();
        var command = new NpgsqlBatchCommand(
            "INSERT INTO messagedata.payloads (id, content, size, expires_at) VALUES (@id, @content, @size, @expires)");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("content", encryption.Encrypt(id, content));
        command.Parameters.AddWithValue("size", content.Length);
        // MassTransit applies its default time-to-live only to payloads it puts itself; apply it to every put.
        command.Parameters.AddWithValue("expires", (timeToLive ?? MessageDataDefaults.TimeToLive) is { } ttl ? clock.GetUtcNow() + ttl : DBNull.Value);
        return new PayloadInsert(command, new Uri($"{Prefix}{id:D}:{encryption.ActiveKey}"));
    }

    /// <summary>Deletes a payload; true when it existed. Idempotent.</summary>
    public async Task<bool> Delete(Uri address, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM messagedata.payloads WHERE id = @id");
        command.Parameters.AddWithValue("id", Parse(address).Id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> Exists(Uri address, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT 1 FROM messagedata.payloads WHERE id = @id");
        command.Parameters.AddWithValue("id", Parse(address).Id);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Removes expired payloads; returns how many.</summary>
    public async Task<int> PurgeExpired(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM messagedata.payloads WHERE expires_at <= now()");
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A reference to stored data for a message, without loading it.</summary>
    public static MessageData<byte[]> Reference(Uri address) => new MassTransit.MessageData.Values.DeserializedMessageData<byte[]>(address);

    /// <summary>The payload id and the id of the key it was encrypted with.</summary>
    public static (Guid Id, string KeyId) Parse(Uri address)
    {
        var text = address.OriginalString;
        var parts = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..].Split(':') : [];
        return parts.Length == 2 && Guid.TryParse(parts[0], out var id) && PayloadEncryption.KeyId().IsMatch(parts[1])
            ? (id, parts[1])
            : throw new MessageDataException($"Not a CarePlanMesh payload address: {address}");
    }
}

/// <summary>A payload's insert, not yet sent, and the address it will have (<see cref="PostgresMessageDataRepository.Insert"/>).</summary>
public sealed record PayloadInsert(NpgsqlBatchCommand Command, Uri Address)
{
    /// <summary>The claim check a message carries for this payload.</summary>
    public MessageData<byte[]> Reference => PostgresMessageDataRepository.Reference(Address);
}
