using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults;
using MassTransit;

namespace CarePlanMesh.BillingReconciliation;

/// <summary>
/// Asks routing, which owns licences, to send every licence it holds to this service's licence queue
/// (<see cref="ResendLicences"/>): at start and then every Licences:ResyncInterval (a day by default). LicenceGranted alone
/// is not enough: routing publishes the licences it seeds at start when this service's queue may not exist yet, and a
/// replica started on an empty or restored database has missed earlier grants. The command waits in routing's queue
/// if routing is not running yet; every licence is recorded once, however often it arrives.
/// </summary>
public sealed class LicenceResync(IBus bus, IConfiguration configuration, ILogger<LicenceResync> logger)
    : PeriodicService(configuration.GetValue("Licences:ResyncInterval", TimeSpan.FromDays(1)), logger)
{
    protected override async Task RunOnce(CancellationToken cancellationToken)
    {
        var routing = await bus.GetSendEndpoint(Queues.Address(Queues.Licences));
        await routing.Send(new ResendLicences { Queue = Queues.BillingLicences }, cancellationToken);
        logger.LogInformation("Asked routing for every licence");
    }
}
