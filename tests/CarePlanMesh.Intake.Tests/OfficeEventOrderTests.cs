using CarePlanMesh.ServiceDefaults.Migrations;
using CarePlanMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CarePlanMesh.Intake.Tests;

/// <summary>
/// The office event stream's ids (migration 0017) on real PostgreSQL with intake's real migrations: in commit order within
/// an office, so a reader of that office that has seen id N never later finds a committed id below N, while one office's
/// open transaction holds up no other office's events.
/// </summary>
public sealed class OfficeEventOrderTests
{
    const string Care = "0300000100";
    const string Provider = "0300000005";

    [Fact]
    public async Task An_open_event_of_one_office_holds_up_that_offices_next_event_only_which_then_gets_the_larger_id()
    {
        var infrastructure = await Infrastructure.GetAsync();
        await using var dataSource = NpgsqlDataSource.Create(await infrastructure.CreateDatabaseAsync("events"));
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance)
            .MigrateAsync("intake", SchemaMigrator.ScriptsIn(typeof(IntakeApplication).Assembly), CancellationToken.None);

        await using var open = await dataSource.OpenConnectionAsync();
        await using var transaction = await open.BeginTransactionAsync();
        var first = await Add(open, Care, "first");

        // Another office's event goes through while the care office's transaction is open (no lock wait of even 2 s).
        await using (var other = await dataSource.OpenConnectionAsync())
        {
            await using (var timeout = new NpgsqlCommand("SET lock_timeout = '2s'", other))
                await timeout.ExecuteNonQueryAsync();
            await Add(other, Provider, "other office");
        }

        // The care office's next event waits for the open one ...
        await using var next = await dataSource.OpenConnectionAsync();
        var waiting = Add(next, Care, "second");
        await Poll.Until(async () => await WaitsForALock(dataSource, next.ProcessID), TimeSpan.FromSeconds(10),
            () => "The care office's second event did not wait for its first one's transaction.");
        Assert.False(waiting.IsCompleted);

        // ... and, once it commits, follows it.
        await transaction.CommitAsync();
        Assert.True(await waiting > first);
    }

    static async Task<long> Add(NpgsqlConnection connection, string office, string source)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO intake.office_events (office_number, type, data, source) VALUES (@office, 'test', '{}', @source) RETURNING id", connection);
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("source", source);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    static async Task<bool> WaitsForALock(NpgsqlDataSource dataSource, int pid)
    {
        await using var command = dataSource.CreateCommand("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = @pid");
        command.Parameters.AddWithValue("pid", pid);
        return await command.ExecuteScalarAsync() is true;
    }
}
