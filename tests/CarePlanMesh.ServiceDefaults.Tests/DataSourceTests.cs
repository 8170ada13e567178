using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>
/// The services' data source returns connections to the pool without DISCARD ALL (docs/benchmarks.md), unless the
/// connection string asks for the reset; against the real PostgreSQL of the test infrastructure.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DataSourceTests(DatabaseFixture database)
{
    [Fact]
    public async Task A_pooled_connection_is_handed_out_again_without_a_reset()
    {
        await using var dataSource = ServiceDefaultsExtensions.DataSource(OneConnection(), "reset-skipped");

        Assert.Equal("1", await SetThenRead(dataSource));
    }

    [Fact]
    public async Task A_connection_string_that_asks_for_the_reset_keeps_it()
    {
        await using var dataSource = ServiceDefaultsExtensions.DataSource(OneConnection() + ";No Reset On Close=false", "reset-kept");

        Assert.Equal("", await SetThenRead(dataSource));
    }

    /// <summary>A pool of one connection, so the second command gets the connection the first one returned.</summary>
    string OneConnection() => new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;

    /// <summary>Sets a session variable on the pool's only connection, returns it, and reads the variable on the next.</summary>
    static async Task<string> SetThenRead(NpgsqlDataSource dataSource)
    {
        await using (var set = dataSource.CreateCommand("SELECT set_config('careplanmesh.probe', '1', false)"))
            await set.ExecuteScalarAsync();
        await using var read = dataSource.CreateCommand("SELECT coalesce(current_setting('careplanmesh.probe', true), '')");
        return (string)(await read.ExecuteScalarAsync())!;
    }
}
