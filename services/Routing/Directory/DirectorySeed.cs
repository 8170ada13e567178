using CarePlanMesh.Contracts;
using CarePlanMesh.Routing.Licences;
using CarePlanMesh.Routing.Partnerships;
using CarePlanMesh.Security;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.Routing.Directory;

/// <summary>
/// Registers the offices listed in Directory:SeedFile (the offices.json that `cpm dev-pki` writes) at start, grants an
/// annual licence from today to each marked licensed that holds none, and makes the listed partnerships active.
/// Runs before the bus starts, so the first route check already sees them; running it again changes nothing. The
/// licences it grants are published once the bus runs; billing-reconciliation, whose queue may not exist yet, gets them
/// anyway by asking for every licence at its start (<see cref="ResendLicences"/>).
/// </summary>
public sealed class DirectorySeed(
    OfficeDirectory directory, PartnershipBook partnerships, LicenceBook licences, NpgsqlDataSource dataSource, IBus bus, IConfiguration configuration,
    ILogger<DirectorySeed> logger)
    : IHostedLifecycleService
{
    readonly List<LicenceGranted> _granted = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = configuration["Directory:SeedFile"];
        if (string.IsNullOrWhiteSpace(path))
            return;
        var offices = OfficeDirectoryFile.Read(path);
        // Replicas starting together seed one after the other, so each sees what the first one granted.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var seedLock = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended('routing.directory-seed', 0))", connection))
            await seedLock.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            await Seed(offices, cancellationToken);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended('routing.directory-seed', 0))", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        logger.LogInformation("Registered {Count} offices from the seed file", offices.Count);
    }

    async Task Seed(IReadOnlyList<OfficeDirectoryEntry> offices, CancellationToken cancellationToken)
    {
        foreach (var office in offices)
        {
            await directory.Register(office.OfficeNumber, office.Name, office.ServiceTypes, contactEmail: null, cancellationToken);
            if (office.Licensed && await licences.ValidUntil(office.OfficeNumber, cancellationToken) is null
                && await licences.GrantAnnual(office.OfficeNumber, licences.Today, cancellationToken) is { } granted)
                _granted.Add(granted);
        }
        foreach (var office in offices)
            foreach (var partner in office.Partners)
                if (await partnerships.Between(office.OfficeNumber, partner, cancellationToken) is null
                    && await partnerships.Create(office.OfficeNumber, partner, null, PartnershipStates.Active, cancellationToken) is null)
                    logger.LogWarning("The seed partnership {Office}-{Partner} was created concurrently", office.OfficeNumber, partner);
    }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        foreach (var granted in _granted)
            await bus.Publish(granted, cancellationToken);
        _granted.Clear();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
