using CarePlanMesh.Contracts;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.BillingReconciliation.Consumers;

/// <summary>
/// Counts a delivered send unit's plan and actual files for its sender and service month, once per submission,
/// and announces the office's running totals for that month.
/// </summary>
public sealed class RecordUsageConsumer(NpgsqlDataSource dataSource) : IConsumer<RecordUsage>
{
    public async Task Consume(ConsumeContext<RecordUsage> context)
    {
        var command = context.Message;
        var plans = command.FileKinds.Count(k => k == "plan6");
        var actuals = command.FileKinds.Count(k => k == "actual6");

        await using var record = dataSource.CreateCommand(
            """
            INSERT INTO billing_reconciliation.usage (submission_id, office_number, recipient_office, service_month, plan_files, actual_files, other_files)
            VALUES (@id, @office, @recipient, @month, @plans, @actuals, @others)
            ON CONFLICT (submission_id) DO NOTHING
            """);
        record.Parameters.AddWithValue("id", command.SubmissionId);
        record.Parameters.AddWithValue("office", command.SenderOffice);
        record.Parameters.AddWithValue("recipient", command.RecipientOffice);
        record.Parameters.AddWithValue("month", (object?)command.ServiceMonth ?? DBNull.Value);
        record.Parameters.AddWithValue("plans", plans);
        record.Parameters.AddWithValue("actuals", actuals);
        record.Parameters.AddWithValue("others", command.FileKinds.Count - plans - actuals);
        await record.ExecuteNonQueryAsync(context.CancellationToken);

        var (planTotal, actualTotal) = await UsageQueries.Totals(dataSource, command.SenderOffice, command.ServiceMonth, context.CancellationToken);
        await context.Publish(new UsageRecorded
        {
            SubmissionId = command.SubmissionId,
            OfficeNumber = command.SenderOffice,
            ServiceMonth = command.ServiceMonth,
            PlanFiles = planTotal,
            ActualFiles = actualTotal,
        });
    }
}

public sealed class RecordUsageConsumerDefinition : ConsumerDefinition<RecordUsageConsumer>
{
    public RecordUsageConsumerDefinition() => EndpointName = Queues.RecordUsage;
}
