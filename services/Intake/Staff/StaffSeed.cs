using CarePlanMesh.Security;

namespace CarePlanMesh.Intake.Staff;

/// <summary>Registers the staff listed in Directory:SeedFile (offices.json from `cpm dev-pki`: user IDs and password hashes) at start.</summary>
public sealed class StaffSeed(StaffDirectory staff, IConfiguration configuration, ILogger<StaffSeed> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration["Directory:SeedFile"] is not { Length: > 0 } path)
            return;
        var offices = OfficeDirectoryFile.Read(path);
        foreach (var office in offices)
            foreach (var member in office.Staff)
                await staff.Register(member.UserId, office.OfficeNumber, member.PasswordHash, member.Roles, cancellationToken);
        logger.LogInformation("Registered {Count} staff from the seed file", offices.Sum(o => o.Staff.Count));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
