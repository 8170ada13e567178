using CarePlanMesh.ServiceDefaults.Sagas;
using MassTransit;
using NpgsqlTypes;

namespace CarePlanMesh.ServiceDefaults.Tests;

[Collection(DatabaseCollection.Name)]
public sealed class NpgsqlSagaRepositoryTests(DatabaseFixture database)
{
    static readonly NpgsqlSagaRepositoryOptions<CounterState> Options = CounterOptions();

    public static NpgsqlSagaRepositoryOptions<CounterState> CounterOptions()
    {
        var options = new NpgsqlSagaRepositoryOptions<CounterState> { Table = "hosting_tests.counters" };
        options.Project("total", NpgsqlDbType.Integer, s => s.Total);
        return options;
    }

    async Task<NpgsqlSagaDatabaseContext<CounterState>> Open()
    {
        var connection = await database.DataSource.OpenConnectionAsync();
        return new NpgsqlSagaDatabaseContext<CounterState>(connection, await connection.BeginTransactionAsync(), Options);
    }

    [Fact]
    public async Task Stores_and_loads_an_instance_with_its_state_version_and_projected_columns()
    {
        var id = NewId.NextGuid();
        await using (var db = await Open())
        {
            Assert.True(await db.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting", Total = 7, Seen = [7] }, default));
            await db.Commit(default);
        }

        await using var read = await Open();
        var loaded = await read.Load(id, default);
        Assert.NotNull(loaded);
        Assert.Equal(("Counting", 7, 1), (loaded.CurrentState, loaded.Total, loaded.Version));
        Assert.Equal([7], loaded.Seen);
        await using var command = database.DataSource.CreateCommand($"SELECT total, current_state FROM hosting_tests.counters WHERE correlation_id = '{id}'");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((7, "Counting"), (reader.GetInt32(0), reader.GetString(1)));
    }

    [Fact]
    public async Task Inserting_an_existing_instance_reports_it_is_already_there()
    {
        var id = NewId.NextGuid();
        await using (var db = await Open())
        {
            await db.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting" }, default);
            await db.Commit(default);
        }

        await using var again = await Open();
        Assert.False(await again.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting" }, default));
    }

    [Fact]
    public async Task A_writer_that_lost_the_race_gets_a_concurrency_exception_and_changes_nothing()
    {
        var id = NewId.NextGuid();
        await using (var db = await Open())
        {
            await db.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting", Total = 1 }, default);
            await db.Commit(default);
        }
        await using var first = await Open();
        await using var second = await Open();
        var mine = (await first.Load(id, default))!;
        var theirs = (await second.Load(id, default))!;

        theirs.Total = 2;
        await second.Update(theirs, default);
        await second.Commit(default);
        mine.Total = 3;

        await Assert.ThrowsAsync<ConcurrencyException>(() => first.Update(mine, default));
        await using var read = await Open();
        var stored = (await read.Load(id, default))!;
        Assert.Equal((2, 2), (stored.Total, stored.Version));
    }
}
