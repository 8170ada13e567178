using CarePlanMesh.Security;

namespace CarePlanMesh.Crypto.Certificates;

/// <summary>Registers the office certificates listed in Directory:SeedFile at start, before the bus runs.</summary>
public sealed class CertificateSeed(CertificateStore store, IConfiguration configuration, ILogger<CertificateSeed> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = configuration["Directory:SeedFile"];
        if (string.IsNullOrWhiteSpace(path))
            return;
        var offices = OfficeDirectoryFile.Read(path);
        foreach (var office in offices)
            await store.Add(office.OfficeNumber, Pem.LoadCertificate(office.Certificate), cancellationToken);
        logger.LogInformation("Registered certificates of {Count} offices from the seed file", offices.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
