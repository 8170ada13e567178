using CarePlanMesh.Contracts;
using CarePlanMesh.Reconciliation;
using MassTransit;

namespace CarePlanMesh.BillingReconciliation.Reconciliations;

/// <summary>
/// Billing-reconciliation's side of issue #13: records the pseudonymous facts validation extracts, compares a 実績 with
/// the latest 予定 when it arrives, answers the offices' queries and announces the results. Logs carry ids and counts only.
/// </summary>
public sealed class ReconciliationConsumer(ReconciliationBook book, IMessageDataRepository repository, ILogger<ReconciliationConsumer> logger)
    : IConsumer<RecordReconciliationFacts>, IConsumer<ReconcileActuals>, IConsumer<ReconciliationReportSealed>,
      IConsumer<ListReconciliations>, IConsumer<GetReconciliationReport>
{
    public async Task Consume(ConsumeContext<RecordReconciliationFacts> context)
    {
        var command = context.Message;
        var facts = FactsJson.Deserialize<UnitFacts>(await command.Facts.Value);
        // 予定 and 予定削除 go care office → provider, 実績削除 provider → care office.
        var (care, provider) = facts.Kind == FactKinds.ActualDelete ? (command.RecipientOffice, command.SenderOffice) : (command.SenderOffice, command.RecipientOffice);
        switch (facts.Kind)
        {
            case FactKinds.Plan:
                var recorded = await book.Record(command.SubmissionId, FactKinds.Plan, care, provider, command.ServiceMonth, command.SendUnit, facts, context.CancellationToken);
                logger.LogDebug("Plan facts of submission {SubmissionId}: {Rows} rows, {Users} users (new: {Recorded})",
                    command.SubmissionId, facts.Services.Count, facts.Limits.Count, recorded);
                break;
            case FactKinds.PlanDelete or FactKinds.ActualDelete:
                var kind = facts.Kind == FactKinds.PlanDelete ? FactKinds.Plan : FactKinds.Actual;
                var deleted = await book.DeleteUsers(kind, care, provider, command.ServiceMonth, facts.DeletedUsers, context.CancellationToken);
                logger.LogInformation("Delete unit {SubmissionId} removed {Rows} {Kind} fact rows of {Users} users", command.SubmissionId, deleted, kind, facts.DeletedUsers.Count);
                break;
        }
    }

    public async Task Consume(ConsumeContext<ReconcileActuals> context)
    {
        var request = context.Message;
        var facts = FactsJson.Deserialize<UnitFacts>(await request.Facts.Value);
        await book.Record(request.SubmissionId, FactKinds.Actual, request.CareOffice, request.ProviderOffice, request.ServiceMonth, request.SendUnit, facts, context.CancellationToken);
        var outcome = await book.Reconcile(request.SubmissionId, request.CareOffice, request.ProviderOffice, request.ServiceMonth, context.CancellationToken);
        ReconciliationMetrics.Count(planFound: outcome is not null);
        if (outcome is not var (planId, result))
        {
            logger.LogDebug("Actual facts of submission {SubmissionId}: no plan to compare with", request.SubmissionId);
            await context.RespondAsync(new ActualsReconciled { SubmissionId = request.SubmissionId, PlanFound = false });
            return;
        }

        var completed = (await book.Find(request.SubmissionId, context.CancellationToken))!;
        logger.LogDebug("Reconciled submission {SubmissionId} against plan {PlanId}: {Compared} users, {Differing} with differences, {Over} over the limit",
            request.SubmissionId, planId, completed.UsersCompared, completed.UsersWithDifferences, completed.UsersOverLimit);
        await context.Publish(completed);
        await context.RespondAsync(new ActualsReconciled
        {
            SubmissionId = request.SubmissionId,
            PlanFound = true,
            PlanSubmissionId = planId,
            Result = await repository.PutBytes(FactsJson.Serialize(result), context.CancellationToken),
        });
    }

    public async Task Consume(ConsumeContext<ReconciliationReportSealed> context)
    {
        var message = context.Message;
        if (await book.ReportSealed(message.ReconciliationId, message.SealedReport.Address, context.CancellationToken) is { } careOffice)
            await context.Send(Queues.Address(Queues.NotifyOffice), new NotifyOffice
            {
                SubmissionId = message.ReconciliationId,
                OfficeNumber = careOffice,
                Topic = NotificationTopics.ReconciliationReady,
            });
    }

    public async Task Consume(ConsumeContext<ListReconciliations> context)
    {
        var items = await book.List(context.Message.Office, context.Message.ServiceMonth, context.CancellationToken);
        await context.RespondAsync(new ReconciliationList
        {
            Items = [.. items.Select(i => i.Item)],
            Sealed = [.. items.Where(i => i.Sealed).Select(i => i.Item.ReconciliationId)],
        });
    }

    public async Task Consume(ConsumeContext<GetReconciliationReport> context)
    {
        var (found, report) = await book.Report(context.Message.ReconciliationId, context.Message.Office, context.CancellationToken);
        await context.RespondAsync(new ReconciliationReportLocation { Found = found, SealedReport = report });
    }
}

public sealed class ReconciliationConsumerDefinition : ConsumerDefinition<ReconciliationConsumer>
{
    public ReconciliationConsumerDefinition() => EndpointName = Queues.Reconciliation;
}
