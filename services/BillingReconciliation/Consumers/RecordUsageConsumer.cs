using CarePlanMesh.Contracts;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.BillingReconciliation.Consumers;

/// <summary>
/// Counts a delivered send unit's plan and actual files for its sender and service month, once per submission, adds it
/// to the sender's and the recipient's running totals in the same statement (O(1) per unit), and announces the totals.
/// </summary>
public sealed class RecordUsageConsumer(NpgsqlDataSource dataSource) : IConsumer<RecordUsage>
{
    public async Task Consume(ConsumeContext<RecordUsage> context)
    {
        var command = context.Message;
        var plans = command.FileKinds.Count(k => k == "plan6");
        var actuals = command.FileKinds.Count(k => k == "actual6");

        await using var connection = await dataSource.OpenConnectionAsync(context.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(context.CancellationToken);
        await using var record = new NpgsqlCommand(
            """
            WITH unit AS (
                INSERT INTO billing_reconciliation.usage (submission_id, office_number, recipient_office, service_month, plan_files, actual_files, other_files)
                VALUES (@id, @office, @recipient, @month, @plans, @actuals, @others)
                ON CONFLICT (submission_id) DO NOTHING
                RETURNING office_number, recipient_office, coalesce(service_month, '') AS month)
            INSERT INTO billing_reconciliation.usage_totals AS t (office_number, service_month, plan_files, actual_files, units_sent, units_received)
            SELECT office, month, sum(plans), sum(actuals), sum(sent), sum(received)
            FROM (SELECT office_number AS office, month, @plans AS plans, @actuals AS actuals, 1 AS sent, 0 AS received FROM unit
                  UNION ALL SELECT recipient_office, month, 0, 0, 0, 1 FROM unit) AS counts
            GROUP BY office, month
            ON CONFLICT (office_number, service_month) DO UPDATE SET
                plan_files = t.plan_files + excluded.plan_files, actual_files = t.actual_files + excluded.actual_files,
                units_sent = t.units_sent + excluded.units_sent, units_received = t.units_received + excluded.units_received
            """, connection, transaction);
        record.Parameters.AddWithValue("id", command.SubmissionId);
        record.Parameters.AddWithValue("office", command.SenderOffice);
        record.Parameters.AddWithValue("recipient", command.RecipientOffice);
        record.Parameters.AddWithValue("month", (object?)command.ServiceMonth ?? DBNull.Value);
        record.Parameters.AddWithValue("plans", plans);
        record.Parameters.AddWithValue("actuals", actuals);
        record.Parameters.AddWithValue("others", command.FileKinds.Count - plans - actuals);
        await record.ExecuteNonQueryAsync(context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);

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
