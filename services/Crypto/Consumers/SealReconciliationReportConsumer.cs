using CarePlanMesh.Contracts;
using CarePlanMesh.Crypto.Certificates;
using CarePlanMesh.Security;
using CarePlanMesh.ServiceDefaults.MessageData;
using MassTransit;

namespace CarePlanMesh.Crypto.Consumers;

/// <summary>
/// Seals a reconciliation's detail report to the care office exactly as a package (signed by the relay, encrypted to
/// every current certificate of the office), announces it, then deletes the plaintext report. A redelivery that finds
/// the plaintext gone has nothing left to do: the report was sealed and announced before the delete.
/// </summary>
public sealed class SealReconciliationReportConsumer(
    CertificateStore certificates,
    PackageSealer sealer,
    PostgresMessageDataRepository payloads,
    TimeProvider clock,
    ILogger<SealReconciliationReportConsumer> logger) : IConsumer<SealReconciliationReport>
{
    public async Task Consume(ConsumeContext<SealReconciliationReport> context)
    {
        var command = context.Message;
        if (!await payloads.Exists(command.Report.Address, context.CancellationToken))
            return;
        var recipients = await certificates.Current(command.CareOffice, clock.GetUtcNow(), context.CancellationToken);
        if (recipients.Count > 0)
        {
            var sealedReport = sealer.Seal(await command.Report.Value, recipients);
            var stored = await payloads.PutBytes(sealedReport, context.CancellationToken);
            await context.Publish(new ReconciliationReportSealed
            {
                ReconciliationId = command.ReconciliationId,
                CareOffice = command.CareOffice,
                SealedBytes = sealedReport.Length,
                SealedReport = PostgresMessageDataRepository.Reference(stored.Address),
            });
        }
        else
            logger.LogWarning("Reconciliation {ReconciliationId}: the care office has no valid certificate; the report is dropped unsealed", command.ReconciliationId);
        await payloads.Delete(command.Report.Address, context.CancellationToken);
    }
}

public sealed class SealReconciliationReportConsumerDefinition : ConsumerDefinition<SealReconciliationReportConsumer>
{
    public SealReconciliationReportConsumerDefinition() => EndpointName = Queues.SealReconciliationReport;
}
