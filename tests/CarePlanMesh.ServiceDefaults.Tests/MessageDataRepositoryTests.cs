using CarePlanMesh.ServiceDefaults.MessageData;
using System.Security.Cryptography;
using MassTransit;

namespace CarePlanMesh.ServiceDefaults.Tests;

[Collection(DatabaseCollection.Name)]
public sealed class MessageDataRepositoryTests(DatabaseFixture database)
{
    static readonly string Key1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    static readonly string Key2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    readonly PostgresMessageDataRepository _repository = Repository(database, new() { ["k1"] = Key1 });

    static PostgresMessageDataRepository Repository(DatabaseFixture database, Dictionary<string, string> keys, string? active = null) =>
        new(database.DataSource, new PayloadEncryption(new PayloadEncryptionOptions { Keys = keys, ActiveKey = active }), TimeProvider.System);

    [Fact]
    public async Task Stores_only_ciphertext_with_the_key_id_in_the_address()
    {
        var content = "被保険者番号1234567890"u8.ToArray();

        var stored = await _repository.PutBytes(content);

        Assert.EndsWith(":k1", stored.Address.ToString());
        var (id, _) = PostgresMessageDataRepository.Parse(stored.Address);
        await using var command = database.DataSource.CreateCommand("SELECT content FROM messagedata.payloads WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        var raw = (byte[])(await command.ExecuteScalarAsync())!;
        Assert.Equal(content.Length + 28, raw.Length);
        Assert.Equal(-1, raw.AsSpan().IndexOf(content.AsSpan(0, 8)));
    }

    [Fact]
    public async Task After_rotation_new_payloads_use_the_new_key_and_old_ones_still_decrypt()
    {
        var old = await _repository.PutBytes([1, 2, 3]);
        var rotated = Repository(database, new() { ["k1"] = Key1, ["k2"] = Key2 }, active: "k2");

        var fresh = await rotated.PutBytes([4, 5, 6]);

        Assert.EndsWith(":k2", fresh.Address.ToString());
        Assert.Equal([1, 2, 3], await (await rotated.GetBytes(old.Address)).Value);
        Assert.Equal([4, 5, 6], await (await rotated.GetBytes(fresh.Address)).Value);
        // Without the retired key its payloads cannot be read, and nothing else can stand in for it.
        var withoutOld = Repository(database, new() { ["k2"] = Key2 });
        await Assert.ThrowsAsync<CryptographicException>(() => withoutOld.Get(old.Address));
    }

    [Fact]
    public async Task A_payload_moved_to_another_row_or_altered_does_not_decrypt()
    {
        var first = await _repository.PutBytes([1, 2, 3]);
        var second = await _repository.PutBytes([7, 8, 9]);
        await using var swap = database.DataSource.CreateCommand(
            "UPDATE messagedata.payloads SET content = (SELECT content FROM messagedata.payloads WHERE id = @from) WHERE id = @to");
        swap.Parameters.AddWithValue("from", PostgresMessageDataRepository.Parse(first.Address).Id);
        swap.Parameters.AddWithValue("to", PostgresMessageDataRepository.Parse(second.Address).Id);
        await swap.ExecuteNonQueryAsync();

        await Assert.ThrowsAnyAsync<CryptographicException>(() => _repository.Get(second.Address));
    }

    [Fact]
    public void Refuses_to_start_without_keys_or_with_a_short_key()
    {
        Assert.Contains("MessageData__Keys__", Assert.Throws<InvalidOperationException>(() => new PayloadEncryption(new PayloadEncryptionOptions())).Message);
        Assert.Throws<InvalidOperationException>(() => new PayloadEncryption(new PayloadEncryptionOptions { Keys = new() { ["k"] = Convert.ToBase64String(new byte[16]) } }));
    }

    [Fact]
    public async Task Returns_the_stored_bytes_by_address()
    {
        var content = new byte[] { 0x82, 0xA0, 0x0D, 0x0A, 0x00, 0xFF };

        var stored = await _repository.PutBytes(content);
        var read = await _repository.GetBytes(stored.Address);

        Assert.StartsWith("urn:careplanmesh:payload:", stored.Address.ToString());
        Assert.Equal(content, await read.Value);
    }

    [Fact]
    public async Task A_deleted_payload_is_gone()
    {
        var stored = await _repository.PutBytes([1, 2, 3]);

        Assert.True(await _repository.Delete(stored.Address));
        Assert.False(await _repository.Delete(stored.Address));
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => _repository.Get(stored.Address));
    }

    [Fact]
    public async Task An_expired_payload_is_not_served_and_is_purged()
    {
        var stored = await _repository.PutBytes([1, 2, 3], TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);

        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => _repository.Get(stored.Address));
        Assert.True(await _repository.PurgeExpired() >= 1);
        Assert.False(await _repository.Exists(stored.Address));
    }

    [Fact]
    public async Task An_address_of_another_store_is_refused()
    {
        await Assert.ThrowsAsync<MessageDataException>(() => _repository.Get(new Uri("urn:file:/etc/passwd")));
    }

    [Fact]
    public async Task Payloads_written_together_are_all_stored()
    {
        var first = _repository.Insert([1, 2, 3]);
        var second = _repository.Insert("被保険者番号"u8.ToArray(), TimeSpan.FromHours(1));

        await _repository.Write([]);
        await _repository.Write([first, second]);

        Assert.Equal([1, 2, 3], ReadAll(await _repository.Get(first.Address)));
        Assert.Equal(first.Address, first.Reference.Address);
        Assert.Equal("被保険者番号"u8.ToArray(), ReadAll(await _repository.Get(second.Address)));
    }

    [Fact]
    public async Task A_payload_sent_in_a_batch_commits_with_the_statements_beside_it_or_not_at_all()
    {
        var failed = _repository.Insert([1, 2, 3]);
        await using (var batch = database.DataSource.CreateBatch())
        {
            batch.BatchCommands.Add(failed.Command);
            batch.BatchCommands.Add(new Npgsql.NpgsqlBatchCommand("SELECT 1 / 0"));
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => batch.ExecuteNonQueryAsync());
        }
        Assert.False(await _repository.Exists(failed.Address));

        var stored = _repository.Insert([4, 5, 6]);
        await using (var batch = database.DataSource.CreateBatch())
        {
            batch.BatchCommands.Add(stored.Command);
            batch.BatchCommands.Add(new Npgsql.NpgsqlBatchCommand("SELECT 1"));
            await batch.ExecuteNonQueryAsync();
        }
        Assert.Equal([4, 5, 6], ReadAll(await _repository.Get(stored.Address)));
    }

    static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
