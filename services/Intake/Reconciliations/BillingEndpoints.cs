using System.Globalization;
using System.Text;
using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Admin;
using CarePlanMesh.Intake.Edge;
using MassTransit;

namespace CarePlanMesh.Intake.Reconciliations;

/// <summary>GET /v1/admin/billing?month=YYYYMM (role admin): billing-reconciliation's statement of the month as CSV.</summary>
public static class BillingEndpoints
{
    public static RouteGroupBuilder MapBilling(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/billing", async (string? month, IRequestClient<GetBillingStatement> client, CancellationToken cancellationToken) =>
        {
            if (month is null || !DateTime.TryParseExact(month, "yyyyMM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                return Problems.Of(400, "month", "A month is needed", "年月が必要です", "Give month as YYYYMM, e.g. ?month=202506.", "monthをYYYYMM形式で指定してください（例: ?month=202506）。");
            var statement = await client.Answer<GetBillingStatement, BillingStatement>(new GetBillingStatement { Month = month }, cancellationToken);
            return Results.File(Encoding.UTF8.GetBytes(statement.Csv), "text/csv; charset=utf-8", $"billing-{month}.csv");
        }).RequireAuthorization(AdminEndpoints.Policy)
            .Produces<Stream>(StatusCodes.Status200OK, "text/csv")
            .WithDescription("The month's statement as CSV (UTF-8, CRLF), one row per office under the header "
                + "office_number,licence_status,licence_kind,valid_from,valid_to,fee_yen,units_sent,units_received.");
        return api;
    }
}
