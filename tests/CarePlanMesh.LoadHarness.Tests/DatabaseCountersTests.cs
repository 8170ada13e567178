using CarePlanMesh.LoadHarness;
using CarePlanMesh.Testing;
using Npgsql;

namespace CarePlanMesh.LoadHarness.Tests;

/// <summary>PostgreSQL's counters as the harness reads them, against the real PostgreSQL of the test infrastructure.</summary>
public class DatabaseCountersTests
{
    [Fact]
    public async Task Counts_the_commits_and_the_wal_of_the_transactions_between_two_reads()
    {
        var infrastructure = await Infrastructure.GetAsync();
        var database = await infrastructure.CreateDatabaseAsync("harness");
        var counters = new DatabaseCounters(database);
        var (before, problem) = await counters.Read(CancellationToken.None);
        Assert.Null(problem);

        // Without pooling the server process ends at the close and publishes its counts at once.
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using (var create = new NpgsqlCommand("CREATE TABLE written (n integer)", connection))
                await create.ExecuteNonQueryAsync();
            for (var n = 0; n < 5; n++)
            {
                await using var insert = new NpgsqlCommand($"INSERT INTO written VALUES ({n})", connection);
                await insert.ExecuteNonQueryAsync();
            }
        }

        DatabaseSnapshot used;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        do
        {
            await Task.Delay(200);
            used = (await counters.Read(CancellationToken.None)).Snapshot!.Since(before!);
        } while (used.Commits < 6 && DateTime.UtcNow < deadline);

        Assert.InRange(used.Commits, 6, 60);
        Assert.True(used.WalRecords >= 6, $"{used.WalRecords} WAL records for 6 transactions that wrote");
        Assert.True(used.WalBytes > 0);
    }

    [Fact]
    public async Task A_database_that_does_not_answer_is_reported_not_thrown()
    {
        var counters = new DatabaseCounters($"Host=127.0.0.1;Port={Infrastructure.FreePort()};Username=x;Password=x;Timeout=2");

        var (snapshot, problem) = await counters.Read(CancellationToken.None);

        Assert.Null(snapshot);
        Assert.False(string.IsNullOrEmpty(problem));
    }
}
