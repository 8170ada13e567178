using Npgsql;

namespace CarePlanMesh.BillingReconciliation;

public static class UsageQueries
{
    /// <summary>Plan and actual files delivered by an office for a service month (null month: plans without a month): one row read.</summary>
    public static async Task<(int Plans, int Actuals)> Totals(NpgsqlDataSource dataSource, string office, string? month, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT plan_files, actual_files FROM billing_reconciliation.usage_totals WHERE office_number = @office AND service_month = @month
            """);
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("month", month ?? "");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt32(0), reader.GetInt32(1)) : (0, 0);
    }

    /// <summary>GET /usage/{office}/{month}: the counts for operators (management port only).</summary>
    public static WebApplication MapUsage(this WebApplication app)
    {
        app.MapGet("/usage/{office:regex(^[0-9]{{10}}$)}/{month:regex(^[0-9]{{6}}$)}", async (string office, string month, NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        {
            var (plans, actuals) = await Totals(dataSource, office, month, cancellationToken);
            return Results.Ok(new { office, month, planFiles = plans, actualFiles = actuals });
        });
        return app;
    }

    /// <summary>GET /licences/{office}: the licence periods and fees accounted for an office (management port only).</summary>
    public static WebApplication MapLicences(this WebApplication app)
    {
        app.MapGet("/licences/{office:regex(^[0-9]{{10}}$)}", async (string office, NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        {
            await using var command = dataSource.CreateCommand(
                "SELECT kind, valid_from, valid_to, fee_yen FROM billing_reconciliation.licences WHERE office_number = @office ORDER BY valid_from");
            command.Parameters.AddWithValue("office", office);
            var licences = new List<object>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                licences.Add(new { kind = reader.GetString(0), validFrom = reader.GetFieldValue<DateOnly>(1), validTo = reader.GetFieldValue<DateOnly>(2), feeYen = reader.GetInt32(3) });
            return Results.Ok(new { office, licences });
        });
        return app;
    }
}
