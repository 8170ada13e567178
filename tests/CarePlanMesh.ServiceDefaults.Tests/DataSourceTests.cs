using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>
/// The services' data source returns connections to the pool without DISCARD ALL (docs/benchmarks.md), unless the
/// connection string asks for the reset, and opens no more connections than its limit (Database:MaxPoolSize, 20 by
/// default), unless the connection string names Maximum Pool Size, and prepares the statements it runs often unless the
/// connection string names Max Auto Prepare; against the real PostgreSQL of the test infrastructure.
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

    [Fact]
    public async Task The_pool_opens_no_more_connections_than_its_limit()
    {
        await using var dataSource = ServiceDefaultsExtensions.DataSource(WaitingOneSecond(), "limited", maxPoolSize: 2);

        Assert.Equal(2, await OpenAtOnce(dataSource, 3));
    }

    [Fact]
    public async Task A_connection_string_that_names_Maximum_Pool_Size_wins_over_the_limit()
    {
        await using var dataSource = ServiceDefaultsExtensions.DataSource(WaitingOneSecond() + ";Maximum Pool Size=3", "named", maxPoolSize: 2);

        Assert.Equal(3, await OpenAtOnce(dataSource, 4));
    }

    [Fact]
    public async Task A_service_takes_its_limit_from_Database_MaxPoolSize_and_defaults_to_20()
    {
        Assert.Equal(7, PoolLimitOfAService(("Database:MaxPoolSize", "7")));
        Assert.Equal(ServiceDefaultsExtensions.DefaultMaxPoolSize, PoolLimitOfAService());
        Assert.Equal(20, ServiceDefaultsExtensions.DefaultMaxPoolSize);
    }

    [Fact]
    public async Task A_statement_run_often_on_a_connection_is_prepared_once_there()
    {
        await using var dataSource = ServiceDefaultsExtensions.DataSource(OneConnection(), "auto-prepared");

        Assert.Equal(1L, await PreparedAfter(dataSource, runs: 6));
    }

    [Fact]
    public async Task A_connection_string_that_turns_automatic_preparation_off_keeps_it_off()
    {
        await using var dataSource = ServiceDefaultsExtensions.DataSource(OneConnection() + ";Max Auto Prepare=0", "not-prepared");

        Assert.Equal(0L, await PreparedAfter(dataSource, runs: 6));
    }

    /// <summary>
    /// Runs one statement <paramref name="runs"/> times on the pool's only connection, then counts the server-side prepared
    /// statements of that session that hold it.
    /// </summary>
    static async Task<long> PreparedAfter(NpgsqlDataSource dataSource, int runs)
    {
        const string probe = "SELECT $1::int + 40 AS auto_prepare_probe";
        for (var i = 0; i < runs; i++)
        {
            await using var command = dataSource.CreateCommand(probe);
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = i });
            Assert.Equal(40 + i, await command.ExecuteScalarAsync());
        }
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%auto_prepare_probe%' AND statement NOT LIKE '%pg_prepared_statements%'");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>The Max Pool Size of the data source a service's AddServiceDatabase registers under the given settings.</summary>
    int PoolLimitOfAService(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:Postgres"] = database.ConnectionString;
        foreach (var (key, value) in settings)
            builder.Configuration[key] = value;
        builder.AddServiceDatabase("hosting_tests", typeof(TestService).Assembly);
        using var services = builder.Services.BuildServiceProvider();
        return new NpgsqlConnectionStringBuilder(services.GetRequiredService<NpgsqlDataSource>().ConnectionString).MaxPoolSize;
    }

    /// <summary>A connection string whose pool gives up after a second when no connection is free.</summary>
    string WaitingOneSecond() => new NpgsqlConnectionStringBuilder(database.ConnectionString) { Timeout = 1 }.ConnectionString;

    /// <summary>Opens up to <paramref name="wanted"/> connections held at the same time; how many the pool gave before it gave up.</summary>
    static async Task<int> OpenAtOnce(NpgsqlDataSource dataSource, int wanted)
    {
        var open = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < wanted; i++)
            {
                try
                {
                    var connection = await dataSource.OpenConnectionAsync();
                    open.Add(connection);
                    await using var command = new NpgsqlCommand("SELECT 1", connection);
                    await command.ExecuteScalarAsync();
                }
                catch (NpgsqlException exception) when (exception.InnerException is TimeoutException || exception.Message.Contains("pool", StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }
            }
            return open.Count;
        }
        finally
        {
            foreach (var connection in open)
                await connection.DisposeAsync();
        }
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
