using System.Text;
using CarePlanMesh.Contracts;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.BillingReconciliation;

/// <summary>
/// The operator's monthly statement: per office the licence in force during the month (annual fee or free pass, its
/// period), and the units it sent and received, read from the running totals (one row per office).
/// </summary>
public sealed class BillingStatementConsumer(NpgsqlDataSource dataSource) : IConsumer<GetBillingStatement>
{
    public async Task Consume(ConsumeContext<GetBillingStatement> context)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH m AS (SELECT to_date(@month, 'YYYYMM') AS first_day, (to_date(@month, 'YYYYMM') + interval '1 month - 1 day')::date AS last_day),
            lic AS (SELECT DISTINCT ON (office_number) office_number, kind, valid_from, valid_to, fee_yen
                    FROM billing_reconciliation.licences, m WHERE valid_from <= m.last_day AND valid_to >= m.first_day
                    ORDER BY office_number, valid_from DESC),
            u AS (SELECT office_number, units_sent, units_received FROM billing_reconciliation.usage_totals WHERE service_month = @month)
            SELECT coalesce(u.office_number, lic.office_number), lic.kind, lic.valid_from, lic.valid_to, lic.fee_yen,
                   coalesce(u.units_sent, 0), coalesce(u.units_received, 0)
            FROM u FULL JOIN lic ON lic.office_number = u.office_number
            ORDER BY 1
            """);
        command.Parameters.AddWithValue("month", context.Message.Month);
        var csv = new StringBuilder("office_number,licence_status,licence_kind,valid_from,valid_to,fee_yen,units_sent,units_received\r\n");
        await using var reader = await command.ExecuteReaderAsync(context.CancellationToken);
        while (await reader.ReadAsync(context.CancellationToken))
        {
            var licensed = !reader.IsDBNull(1);
            csv.Append(reader.GetString(0)).Append(',')
                .Append(licensed ? "active" : "none").Append(',')
                .Append(licensed ? reader.GetString(1) : "").Append(',')
                .Append(licensed ? reader.GetFieldValue<DateOnly>(2).ToString("yyyy-MM-dd") : "").Append(',')
                .Append(licensed ? reader.GetFieldValue<DateOnly>(3).ToString("yyyy-MM-dd") : "").Append(',')
                .Append(licensed ? reader.GetInt32(4).ToString() : "").Append(',')
                .Append(reader.GetInt32(5)).Append(',')
                .Append(reader.GetInt32(6)).Append("\r\n");
        }
        await context.RespondAsync(new BillingStatement { Csv = csv.ToString() });
    }
}

public sealed class BillingStatementConsumerDefinition : ConsumerDefinition<BillingStatementConsumer>
{
    public BillingStatementConsumerDefinition() => EndpointName = Queues.BillingStatements;
}
