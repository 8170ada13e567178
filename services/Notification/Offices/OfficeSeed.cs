using CarePlanMesh.Security;
using Npgsql;

namespace CarePlanMesh.Notification.Offices;

/// <summary>
/// Registers the names and e-mail addresses of the offices listed in Directory:SeedFile at start. An address an office
/// set itself (PUT /v1/notification-preferences) is kept.
/// </summary>
public sealed class OfficeSeed(NpgsqlDataSource dataSource, IConfiguration configuration, ILogger<OfficeSeed> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration["Directory:SeedFile"] is not { Length: > 0 } path)
            return;
        var offices = OfficeDirectoryFile.Read(path);
        foreach (var office in offices)
        {
            await using var upsert = dataSource.CreateCommand(
                """
                INSERT INTO notification.offices (office_number, name, email) VALUES (@office, @name, @email)
                ON CONFLICT (office_number) DO UPDATE SET name = EXCLUDED.name, email = coalesce(notification.offices.email, EXCLUDED.email)
                """);
            upsert.Parameters.AddWithValue("office", office.OfficeNumber);
            upsert.Parameters.AddWithValue("name", office.Name);
            upsert.Parameters.AddWithValue("email", (object?)office.Email ?? DBNull.Value);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        logger.LogInformation("Registered names and e-mail addresses of {Count} offices from the seed file", offices.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
