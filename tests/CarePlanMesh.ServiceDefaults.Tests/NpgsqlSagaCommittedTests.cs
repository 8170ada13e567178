using CarePlanMesh.ServiceDefaults.Sagas;
using MassTransit;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>The commit hook that metrics count transitions with: only what the database kept is reported.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class NpgsqlSagaCommittedTests(DatabaseFixture database)
{
    readonly List<(string? Loaded, string State)> _reported = [];

    async Task<NpgsqlSagaDatabaseContext<CounterState>> Open()
    {
        var options = NpgsqlSagaRepositoryTests.CounterOptions();
        options.Committed = (loaded, saga) => _reported.Add((loaded, saga.CurrentState));
        var connection = await database.DataSource.OpenConnectionAsync();
        return new NpgsqlSagaDatabaseContext<CounterState>(connection, options);
    }

    [Fact]
    public async Task Reports_an_insert_and_an_update_with_the_state_each_was_loaded_in_after_the_commit()
    {
        var id = NewId.NextGuid();
        await using (var db = await Open())
        {
            await db.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting" }, default);
            Assert.Empty(_reported);
            await db.Commit(default);
        }
        await using (var db = await Open())
        {
            var saga = (await db.Load(id, default))!;
            saga.CurrentState = "Done";
            await db.Update(saga);
            await db.Commit(default);
        }

        Assert.Equal([(null, "Counting"), ("Counting", "Done")], _reported);
    }

    [Fact]
    public async Task Reports_nothing_for_an_uncommitted_write_or_a_lost_race()
    {
        var id = NewId.NextGuid();
        await using (var db = await Open())
        {
            await db.Insert(new CounterState { CorrelationId = id, CurrentState = "Counting" }, default);
            await db.Commit(default);
        }
        _reported.Clear();
        await using (var uncommitted = await Open())
        {
            var saga = (await uncommitted.Load(id, default))!;
            saga.CurrentState = "Done";
            await uncommitted.Update(saga);
        }
        await using var first = await Open();
        await using var second = await Open();
        var mine = (await first.Load(id, default))!;
        var theirs = (await second.Load(id, default))!;
        theirs.Total = 1;
        await second.Update(theirs);
        await second.Commit(default);
        mine.CurrentState = "Done";

        await first.Update(mine);
        await Assert.ThrowsAsync<ConcurrencyException>(() => first.Commit(default));

        Assert.Equal([("Counting", "Counting")], _reported);
    }
}
