using CarePlanMesh.ServiceDefaults.Migrations;
using CarePlanMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>A fresh PostgreSQL database of the test infrastructure, with the claim-check and the test schema migrated.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource { get; private set; } = null!;
    public Infrastructure Infrastructure { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Infrastructure = await Infrastructure.GetAsync();
        ConnectionString = await Infrastructure.CreateDatabaseAsync("hosting");
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        var migrator = new SchemaMigrator(DataSource, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync("messagedata", SchemaMigrator.ScriptsIn(typeof(ServiceDefaultsExtensions).Assembly), CancellationToken.None);
        await migrator.MigrateAsync("hosting_tests", SchemaMigrator.ScriptsIn(typeof(DatabaseFixture).Assembly), CancellationToken.None);
    }

    public async Task DisposeAsync() => await DataSource.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class DatabaseCollection : ICollectionFixture<DatabaseFixture>
{
    public const string Name = "database";
}
