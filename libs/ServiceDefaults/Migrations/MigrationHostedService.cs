using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Migrations;

public sealed record SchemaRegistration(string Schema, Assembly Assembly);

/// <summary>
/// Runs before the bus starts (registered first), so no consumer ever sees an old schema.
/// Waits for the database for a bounded time, then stops the service with a clear error.
/// </summary>
sealed class MigrationHostedService(
    SchemaMigrator migrator,
    IEnumerable<SchemaRegistration> schemas,
    ILogger<MigrationHostedService> logger) : IHostedService
{
    static readonly TimeSpan WaitForDatabase = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + WaitForDatabase;
        foreach (var registration in schemas)
        {
            var scripts = SchemaMigrator.ScriptsIn(registration.Assembly);
            while (true)
            {
                try
                {
                    await migrator.MigrateAsync(registration.Schema, scripts, cancellationToken);
                    break;
                }
                catch (NpgsqlException exception) when (exception.IsTransient && DateTimeOffset.UtcNow < deadline)
                {
                    logger.LogWarning("PostgreSQL is not reachable yet ({Message}); retrying", exception.Message);
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                }
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
