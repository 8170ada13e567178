using CarePlanMesh.Contracts;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.BillingReconciliation.Consumers;

/// <summary>Accounts every licence and free pass routing grants, once per licence.</summary>
public sealed class LicenceGrantedConsumer(NpgsqlDataSource dataSource) : IConsumer<LicenceGranted>
{
    public async Task Consume(ConsumeContext<LicenceGranted> context)
    {
        var licence = context.Message;
        await using var record = dataSource.CreateCommand(
            """
            INSERT INTO billing_reconciliation.licences (licence_id, office_number, kind, valid_from, valid_to, fee_yen, granted_at)
            VALUES (@id, @office, @kind, @from, @to, @fee, @at)
            ON CONFLICT (licence_id) DO NOTHING
            """);
        record.Parameters.AddWithValue("id", licence.LicenceId);
        record.Parameters.AddWithValue("office", licence.Office);
        record.Parameters.AddWithValue("kind", licence.Kind);
        record.Parameters.AddWithValue("from", licence.ValidFrom);
        record.Parameters.AddWithValue("to", licence.ValidTo);
        record.Parameters.AddWithValue("fee", licence.FeeYen);
        record.Parameters.AddWithValue("at", licence.GrantedAt);
        await record.ExecuteNonQueryAsync(context.CancellationToken);
    }
}

public sealed class LicenceGrantedConsumerDefinition : ConsumerDefinition<LicenceGrantedConsumer>
{
    public LicenceGrantedConsumerDefinition() => EndpointName = Queues.BillingLicences;
}
