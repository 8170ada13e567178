using System.Text.Json;
using CarePlanMesh.MeshFloor;
using CarePlanMesh.Testing;
using Npgsql;

namespace CarePlanMesh.LoadHarness.Tests;

/// <summary>The mesh floor against the real RabbitMQ and PostgreSQL of the test infrastructure.</summary>
public class MeshFloorTests
{
    [Fact]
    public async Task Every_unit_passes_every_hop_and_writes_every_commit_and_the_run_leaves_no_table()
    {
        var infrastructure = await Infrastructure.GetAsync();
        var database = await infrastructure.CreateDatabaseAsync("floor");
        var broker = await infrastructure.CreateVirtualHostAsync("floor");
        var data = Directory.CreateTempSubdirectory("mesh-floor-");
        try
        {
            var options = FloorOptions.Parse(["--rate", "20", "--warmup", "1s", "--duration", "2s", "--hops", "3", "--commits", "4", "--reads", "2", "--row-bytes", "64",
                "--data", data.FullName, "--rabbitmq", broker.ToString(), "--database", database, "--json"]);
            var output = new StringWriter();
            var log = new StringWriter();

            var exitCode = await Floor.Run(options, output, log, CancellationToken.None);

            Assert.True(exitCode == 0, $"exit code {exitCode}\n{output}\n{log}");
            using var result = JsonDocument.Parse(output.ToString().TrimEnd().Split('\n')[^1]);
            var units = result.RootElement.GetProperty("units").GetInt32();
            // 1 s of warm-up and 2 s measured at 20/s: a stalled machine delays units but offers every one.
            Assert.Equal(60, units);
            Assert.Equal(40, result.RootElement.GetProperty("offered").GetInt32());
            Assert.Equal(0, result.RootElement.GetProperty("unfinished").GetInt32());
            Assert.True(result.RootElement.GetProperty("finished").GetInt32() > 0, output.ToString());
            Assert.Equal(units * 4L, result.RootElement.GetProperty("rows").GetInt64());
            Assert.Contains("rabbitmq is not running under", log.ToString());

            // Every read made too: the run closed its connections, so PostgreSQL has counted their transactions, each
            // INSERT and each SELECT one of its own (plus the run's setup and counts).
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var stats = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
            var transactions = (long)(await stats.ExecuteScalarAsync())!;
            for (var deadline = DateTime.UtcNow.AddSeconds(15); transactions < units * 6L && DateTime.UtcNow < deadline; transactions = (long)(await stats.ExecuteScalarAsync())!)
                await Task.Delay(200);
            Assert.True(transactions >= units * 6L, $"{transactions} transactions for {units} units of 4 commits and 2 reads");

            await using var schema = new NpgsqlCommand("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'mesh_floor'", connection);
            Assert.Equal(0L, await schema.ExecuteScalarAsync());
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(12, 30)]
    [InlineData(5, 3)]
    [InlineData(1, 7)]
    [InlineData(16, 0)]
    public void The_commits_and_reads_are_spread_over_the_hops_evenly_and_all_made(int hops, int count)
    {
        var options = FloorOptions.Parse(["--hops", hops.ToString(), "--commits", count.ToString(), "--reads", count.ToString()]);

        foreach (var perHop in new[] { Enumerable.Range(0, hops).Select(options.CommitsAt).ToArray(), Enumerable.Range(0, hops).Select(options.ReadsAt).ToArray() })
        {
            Assert.Equal(count, perHop.Sum());
            Assert.True(perHop.Max() - perHop.Min() <= 1, string.Join(", ", perHop));
        }
    }

    [Theory]
    [InlineData("--hops", "0")]
    [InlineData("--hops", "17")]
    [InlineData("--rate", "0")]
    [InlineData("--commits", "-1")]
    [InlineData("--reads", "-1")]
    public void Values_outside_the_range_are_refused(string option, string value) =>
        Assert.Throws<ArgumentException>(() => FloorOptions.Parse([option, value]));
}
