using CarePlanMesh.ServiceDefaults.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Tests;

[Collection(DatabaseCollection.Name)]
public sealed class SchemaMigratorTests(DatabaseFixture database)
{
    static readonly SchemaMigrator.Script[] Scripts =
    [
        new(1, "create", "CREATE TABLE {0}.items (id integer PRIMARY KEY)"),
        new(2, "column", "ALTER TABLE {0}.items ADD COLUMN name text"),
    ];

    [Fact]
    public async Task Replicas_starting_together_apply_each_migration_once()
    {
        var schema = "race_" + Guid.NewGuid().ToString("N")[..8];
        var scripts = Scripts.Select(s => s with { Sql = string.Format(s.Sql, schema) }).ToList();

        var applied = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            new SchemaMigrator(database.DataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(schema, scripts, CancellationToken.None)));

        Assert.Equal(2, applied.Sum());
        Assert.Equal([1, 2], await Versions(schema));
    }

    [Fact]
    public async Task A_second_start_applies_nothing()
    {
        var schema = "again_" + Guid.NewGuid().ToString("N")[..8];
        var scripts = Scripts.Select(s => s with { Sql = string.Format(s.Sql, schema) }).ToList();
        var migrator = new SchemaMigrator(database.DataSource, NullLogger<SchemaMigrator>.Instance);

        Assert.Equal(2, await migrator.MigrateAsync(schema, scripts, CancellationToken.None));
        Assert.Equal(0, await migrator.MigrateAsync(schema, scripts, CancellationToken.None));
    }

    [Fact]
    public async Task A_migration_changed_after_it_was_applied_is_refused()
    {
        var schema = "changed_" + Guid.NewGuid().ToString("N")[..8];
        var scripts = Scripts.Select(s => s with { Sql = string.Format(s.Sql, schema) }).ToList();
        var migrator = new SchemaMigrator(database.DataSource, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(schema, scripts, CancellationToken.None);
        scripts[1] = scripts[1] with { Sql = scripts[1].Sql + " NOT NULL" };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(schema, scripts, CancellationToken.None));
        Assert.Contains("0002_column", error.Message);
    }

    [Fact]
    public async Task A_failing_migration_leaves_nothing_half_applied()
    {
        var schema = "broken_" + Guid.NewGuid().ToString("N")[..8];
        var scripts = new List<SchemaMigrator.Script>
        {
            new(1, "create", $"CREATE TABLE {schema}.items (id integer PRIMARY KEY)"),
            new(2, "broken", $"CREATE TABLE {schema}.other (id integer); SELECT no_such_function()"),
        };
        var migrator = new SchemaMigrator(database.DataSource, NullLogger<SchemaMigrator>.Instance);

        await Assert.ThrowsAsync<PostgresException>(() => migrator.MigrateAsync(schema, scripts, CancellationToken.None));

        Assert.Equal([1], await Versions(schema));
        await using var command = database.DataSource.CreateCommand($"SELECT to_regclass('{schema}.other') IS NULL");
        Assert.True((bool)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public void Scripts_are_read_from_embedded_resources_in_version_order()
    {
        var scripts = SchemaMigrator.ScriptsIn(typeof(SchemaMigratorTests).Assembly);

        Assert.Equal([(1, "counters"), (2, "second_step")], scripts.Select(s => (s.Version, s.Name)));
    }

    async Task<List<int>> Versions(string schema)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT version FROM {schema}.schema_migrations ORDER BY version");
        var versions = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            versions.Add(reader.GetInt32(0));
        return versions;
    }
}
