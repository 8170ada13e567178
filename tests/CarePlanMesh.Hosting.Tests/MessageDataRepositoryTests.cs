using CarePlanMesh.Hosting.MessageData;
using MassTransit;

namespace CarePlanMesh.Hosting.Tests;

[Collection(DatabaseCollection.Name)]
public sealed class MessageDataRepositoryTests(DatabaseFixture database)
{
    readonly PostgresMessageDataRepository _repository = new(database.DataSource, TimeProvider.System);

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
}
