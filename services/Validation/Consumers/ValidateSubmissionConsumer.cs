using CarePlanMesh.Contracts;
using CarePlanMesh.Standard;
using MassTransit;

namespace CarePlanMesh.Validation.Consumers;

/// <summary>
/// Checks every file of a send unit (name, strict MS932, CSV shape) and publishes the outcome. A pure function of the
/// payload, so a redelivered command simply yields the same outcome again.
/// </summary>
public sealed class ValidateSubmissionConsumer(IMessageDataRepository repository, ILogger<ValidateSubmissionConsumer> logger)
    : IConsumer<ValidateSubmission>
{
    public async Task Consume(ConsumeContext<ValidateSubmission> context)
    {
        var command = context.Message;
        var archive = await command.Payload.Value;
        var entries = SendUnitArchive.Read(archive);

        var defects = new List<Defect>();
        var records = 0;
        foreach (var entry in entries)
        {
            var result = FileChecker.Check(entry.Name, entry.Content);
            records += result.RecordCount;
            defects.AddRange(result.Defects);
            if (result.Name is { } name && name.SenderOffice != command.SenderOffice)
                defects.Add(Defect.Error(entry.Name, "file-name.sender",
                    "ファイル名の送信元が送信した事業所と一致しません。", "The sender in the file name is not the office that sent it."));
        }

        var errors = defects.Count(d => d.Severity == Severity.Error);
        var warnings = defects.Count - errors;
        var ruleIds = defects.Select(d => d.Rule).Distinct().Order().ToList();
        var report = defects.Count > 0 ? await repository.PutBytes(DefectReport.Serialize(defects), context.CancellationToken) : null;
        logger.LogInformation("Validated submission {SubmissionId}: {Files} files, {Records} records, {Errors} errors, {Warnings} warnings",
            command.SubmissionId, entries.Count, records, errors, warnings);

        if (errors > 0)
            await context.Publish(new SubmissionRejected
            {
                SubmissionId = command.SubmissionId,
                ErrorCount = errors,
                WarningCount = warnings,
                RuleIds = ruleIds,
                DefectReport = report!,
            });
        else
            await context.Publish(new SubmissionValidated
            {
                SubmissionId = command.SubmissionId,
                FileCount = entries.Count,
                RecordCount = records,
                WarningCount = warnings,
                RuleIds = ruleIds,
                DefectReport = report,
            });
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
