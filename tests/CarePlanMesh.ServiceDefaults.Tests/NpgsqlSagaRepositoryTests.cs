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
        return new NpgsqlSagaDatabaseContext<CounterState>(connection, Options);
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
        var id = await Seed();

        await using var again = await Open();
        Assert.False(await again.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting" }, default));
    }

    [Fact]
    public async Task Statements_sent_alongside_an_insert_commit_with_it_or_not_at_all()
    {
        var (id, beside) = (NewId.NextGuid(), NewId.NextGuid());
        await using (var db = await Open())
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting" },
                [InsertCounter(beside), new Npgsql.NpgsqlBatchCommand("SELECT 1 / 0")], default));
        Assert.Equal(0, await Count(id, beside));

        await using (var db = await Open())
        {
            Assert.True(await db.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting" }, [InsertCounter(beside)], default));
            await db.Commit(default);
        }
        Assert.Equal(2, await Count(id, beside));
    }

    static Npgsql.NpgsqlBatchCommand InsertCounter(Guid id)
    {
        var command = new Npgsql.NpgsqlBatchCommand(
            "INSERT INTO hosting_tests.counters (correlation_id, version, current_state, data, total) VALUES (@id, 1, 'Beside', '{}'::jsonb, 0)");
        command.Parameters.AddWithValue("id", id);
        return command;
    }

    async Task<long> Count(params Guid[] ids)
    {
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM hosting_tests.counters WHERE correlation_id = ANY(@ids)");
        command.Parameters.AddWithValue("ids", ids);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_writer_that_lost_the_race_gets_a_concurrency_exception_and_changes_nothing()
    {
        var id = await Seed(total: 1);
        await using var first = await Open();
        await using var second = await Open();
        var mine = (await first.Load(id, default))!;
        var theirs = (await second.Load(id, default))!;

        theirs.Total = 2;
        await second.Update(theirs);
        await second.Commit(default);
        mine.Total = 3;

        await first.Update(mine);
        await Assert.ThrowsAsync<ConcurrencyException>(() => first.Commit(default));
        await using var read = await Open();
        var stored = (await read.Load(id, default))!;
        Assert.Equal((2, 2), (stored.Total, stored.Version));
        Assert.Equal(1, mine.Version);
    }

    [Fact]
    public async Task An_update_is_written_at_the_commit_and_not_at_all_without_one()
    {
        var id = await Seed(total: 1);
        await using (var abandoned = await Open())
        {
            var saga = (await abandoned.Load(id, default))!;
            saga.Total = 5;
            await abandoned.Update(saga);
        }
        await using var writer = await Open();
        var instance = (await writer.Load(id, default))!;
        Assert.Equal((1, 1), (instance.Total, instance.Version));
        instance.Total = 6;
        await writer.Update(instance);
        await using (var reader = await Open())
            Assert.Equal(1, (await reader.Load(id, default))!.Total);

        await writer.Commit(default);

        await using var after = await Open();
        var stored = (await after.Load(id, default))!;
        Assert.Equal((6, 2), (stored.Total, stored.Version));
    }

    [Fact]
    public async Task A_second_write_in_one_message_is_refused()
    {
        var id = await Seed();
        await using var twice = await Open();
        var saga = (await twice.Load(id, default))!;
        await twice.Update(saga);

        await Assert.ThrowsAsync<InvalidOperationException>(() => twice.Delete(saga));
    }

    /// <summary>A committed instance in state Counting with the given total, as a message before the test's would leave it.</summary>
    async Task<Guid> Seed(int total = 0)
    {
        var id = NewId.NextGuid();
        await using var db = await Open();
        Assert.True(await db.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting", Total = total }, default));
        await db.Commit(default);
        return id;
    }
}
