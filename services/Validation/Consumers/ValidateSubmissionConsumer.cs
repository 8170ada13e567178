using CarePlanMesh.Contracts;
using CarePlanMesh.Reconciliation;
using CarePlanMesh.Security;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.Standard;
using CarePlanMesh.Validation.Reconciliation;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Validation.Consumers;

/// <summary>
/// Checks every file of a send unit against the standard (<see cref="StandardValidator"/>) and publishes the outcome
/// with counts and rule ids only; the defects themselves go behind the claim check. A pure function of the
/// payload, so a redelivered command simply yields the same outcome again.
/// </summary>
public sealed class ValidateSubmissionConsumer(
    PostgresMessageDataRepository payloads, IOptions<ValidationPolicy> policy, ReconciliationFacts reconciliation, ILogger<ValidateSubmissionConsumer> logger)
    : IConsumer<ValidateSubmission>
{
    public async Task Consume(ConsumeContext<ValidateSubmission> context)
    {
        var command = context.Message;
        byte[] archive;
        try
        {
            archive = await command.Payload.Value;
        }
        catch (MessageDataNotFoundException)
        {
            // The plaintext is deleted once the unit is sealed (or purged after retention): this is a re-sent copy of a
            // step the unit has already passed. Nothing to validate, and nothing an operator needs to look at.
            logger.LogInformation("Submission {SubmissionId} has no plaintext any more (sealed or purged); the re-sent validation is dropped", command.SubmissionId);
            return;
        }
        var entries = SendUnitArchive.Read(archive);

        // A sender's signed original (name.p7m) travels beside its file, which is what is validated.
        var files = entries.Where(e => !SenderSignature.IsSigned(e.Name)).ToList();
        IReadOnlyList<(string Name, byte[] Content)> contents = [.. files.Select(e => (e.Name, e.Content))];
        // A 予定 over a user's limit gets a warning the care manager sees now (the same check as intake's dry run).
        var report = OverLimitCheck.AddTo(StandardValidator.Validate(contents, command.SenderOffice, policy.Value), contents);
        var defects = report.Defects.ToList();
        var (errors, warnings, records, ruleIds) = (report.ErrorCount, report.WarningCount, report.RecordCount, report.RuleIds);
        // A valid 予定 / 実績 unit yields reconciliation facts.
        var facts = errors == 0 ? reconciliation.Extract(contents) : null;
        ValidationMetrics.Count(defects);
        // The defect report and the facts are stored in one batch: one commit for both.
        var defectReport = defects.Count > 0 ? payloads.Insert(DefectReport.Serialize(defects)) : null;
        var factsPayload = facts is not null ? reconciliation.Payload(facts) : null;
        await payloads.Write([.. new[] { defectReport, factsPayload }.OfType<PayloadInsert>()], context.CancellationToken);
        logger.LogDebug("Validated submission {SubmissionId}: {Files} files, {Records} records, {Errors} errors, {Warnings} warnings",
            command.SubmissionId, files.Count, records, errors, warnings);

        if (errors > 0)
            await context.Publish(new SubmissionRejected
            {
                SubmissionId = command.SubmissionId,
                ErrorCount = errors,
                WarningCount = warnings,
                RuleIds = ruleIds,
                DefectReport = defectReport!.Reference,
            });
        else
        {
            if (facts is not null)
                await reconciliation.Hand(context, facts, factsPayload!.Reference, report);
            await context.Publish(new SubmissionValidated
            {
                SubmissionId = command.SubmissionId,
                FileCount = files.Count,
                RecordCount = records,
                WarningCount = warnings,
                RuleIds = ruleIds,
                DefectReport = defectReport?.Reference,
            });
        }
    }
}

public sealed class ValidateSubmissionConsumerDefinition : ConsumerDefinition<ValidateSubmissionConsumer>
{
    public ValidateSubmissionConsumerDefinition()
    {
        EndpointName = Queues.ValidateSubmission;
        ConcurrentMessageLimit = Environment.ProcessorCount;
    }
}
