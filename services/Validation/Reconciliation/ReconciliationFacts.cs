using CarePlanMesh.Contracts;
using CarePlanMesh.Reconciliation;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.Standard;
using MassTransit;

namespace CarePlanMesh.Validation.Reconciliation;

/// <summary>
/// While a valid 予定 / 実績 unit is in plaintext here, hands billing-reconciliation its pseudonymous facts. For a 実績 it
/// also writes the detail report — names the user by the insured number read from the 実績 itself, lines in both files
/// — and has crypto seal it to the care office; the plaintext report is deleted once sealed.
/// </summary>
public sealed class ReconciliationFacts(
    Pseudonyms pseudonyms,
    PostgresMessageDataRepository payloads,
    IRequestClient<ReconcileActuals> reconcile,
    ILogger<ReconciliationFacts> logger)
{
    /// <summary>Facts and claim-check copies live a day at most: billing-reconciliation reads them at once.</summary>
    static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    public ExtractedUnit? Extract(IReadOnlyList<(string Name, byte[] Content)> files) => FactExtractor.Extract(files, pseudonyms);

    /// <summary>The facts' claim check, for the caller to store with its own payloads (<see cref="Hand"/> hands it over).</summary>
    public PayloadInsert Payload(ExtractedUnit unit) => payloads.Insert(FactsJson.Serialize(unit.Facts), Lifetime);

    /// <param name="facts">The unit's facts, stored already (<see cref="Payload"/>).</param>
    public async Task Hand(ConsumeContext<ValidateSubmission> context, ExtractedUnit unit, MessageData<byte[]> facts, ValidationReport validated)
    {
        var command = context.Message;
        var sendUnit = validated.Files.First(f => f.Name is not null).Name!.SendUnit;
        if (unit.Facts.Kind != FactKinds.Actual)
        {
            await context.Send(Queues.Address(Queues.Reconciliation), new RecordReconciliationFacts
            {
                SubmissionId = command.SubmissionId,
                SenderOffice = command.SenderOffice,
                RecipientOffice = command.RecipientOffice,
                ServiceMonth = unit.Facts.Month,
                SendUnit = sendUnit,
                Facts = facts,
            });
            return;
        }

        ActualsReconciled answer;
        try
        {
            answer = (await reconcile.GetResponse<ActualsReconciled>(new ReconcileActuals
            {
                SubmissionId = command.SubmissionId,
                ProviderOffice = command.SenderOffice,
                CareOffice = command.RecipientOffice,
                ServiceMonth = unit.Facts.Month,
                SendUnit = sendUnit,
                Facts = facts,
            }, context.CancellationToken)).Message;
        }
        catch (RequestTimeoutException)
        {
            // The delivery never waits on reconciliation: the 実績 goes on, and a resent 実績 reconciles later.
            logger.LogWarning("Billing-reconciliation did not answer for submission {SubmissionId}; delivered without reconciliation", command.SubmissionId);
            return;
        }
        if (!answer.PlanFound || answer.Result is null)
            return;

        var result = FactsJson.Deserialize<ReconciliationResult>(await answer.Result.Value);
        var actualFile = validated.Files.First(f => f.Name?.Layout.Kind == "actual6").File;
        var report = ReconciliationReport.Write(command, unit, answer.PlanSubmissionId!.Value, result, actualFile);
        await context.Send(Queues.Address(Queues.SealReconciliationReport), new SealReconciliationReport
        {
            ReconciliationId = command.SubmissionId,
            CareOffice = command.RecipientOffice,
            Report = await payloads.PutBytes(report, Lifetime, context.CancellationToken),
        });
        logger.LogInformation("Reconciliation report of submission {SubmissionId} sent for sealing: {Differences} differences", command.SubmissionId, result.Differences.Count);
    }
}
