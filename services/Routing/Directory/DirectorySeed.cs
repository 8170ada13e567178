using CarePlanMesh.Security;

namespace CarePlanMesh.Routing.Directory;

/// <summary>
/// Registers the offices listed in Directory:SeedFile (the offices.json that `cpm dev-pki` writes) at start.
/// Runs before the bus starts, so the first route check already sees them.
/// </summary>
public sealed class DirectorySeed(OfficeDirectory directory, IConfiguration configuration, ILogger<DirectorySeed> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = configuration["Directory:SeedFile"];
        if (string.IsNullOrWhiteSpace(path))
            return;
        var offices = OfficeDirectoryFile.Read(path);
        foreach (var office in offices)
            await directory.Register(office.OfficeNumber, office.Name, office.ServiceTypes, cancellationToken);
        logger.LogInformation("Registered {Count} offices from the seed file", offices.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
