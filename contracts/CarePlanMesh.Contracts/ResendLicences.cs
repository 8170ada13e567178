namespace CarePlanMesh.Contracts;

/// <summary>
/// Command to routing (queue routing-licences): send every licence and free pass it holds, each as a
/// <see cref="LicenceGranted"/>, to <see cref="Queue"/>. Routing owns licences; billing-reconciliation asks at its start
/// and then daily, so that grants it missed (licences seeded before its queue existed, a database restored from backup)
/// reach its licence accounting, which records each licence once.
/// </summary>
public record ResendLicences
{
    /// <summary>The queue that receives them (<see cref="Queues.BillingLicences"/>).</summary>
    public string Queue { get; init; } = "";
}
