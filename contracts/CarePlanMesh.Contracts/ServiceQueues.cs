namespace CarePlanMesh.Contracts;

/// <summary>
/// The receive endpoints (queues) each service consumes, by the service's name as deploy/local names it. AMQP cannot
/// list queues, so `cpm ops errors --service NAME` and `--all` read this catalogue; the end-to-end test
/// ServiceQueueCatalogueTests compares it with the queues the running mesh declares, so it cannot drift unnoticed.
/// </summary>
public static class ServiceQueues
{
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ByService { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["intake"] = [Queues.Submissions, Queues.IntakeCertificateRevoked, Queues.IntakeOfficeEvents],
        ["validation"] = [Queues.ValidateSubmission],
        ["crypto"] = [Queues.SealSubmission, Queues.SignReceipt, Queues.SealReconciliationReport, Queues.Certificates],
        ["routing"] = [Queues.CheckRoute, Queues.RouteSubmission, Queues.Directory, Queues.Partnerships, Queues.Licences],
        // The last four are event subscriptions whose consumers have no definition: MassTransit's kebab-case names.
        ["notification"] = [Queues.NotifyOffice, Queues.SendInvitation, Queues.NotificationRequests,
            "partnership-changed", "certificate-expiring", "licence-expiring", "licence-expired"],
        ["billing-reconciliation"] = [Queues.Reconciliation, Queues.BillingStatements, Queues.RecordUsage, Queues.BillingLicences],
    };
}
