using System.Globalization;
using System.Security.Claims;
using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.ServiceDefaults.MessageData;
using MassTransit;

namespace CarePlanMesh.Intake.Reconciliations;

/// <summary>
/// 予定 against 実績 (issue #13): the counts billing-reconciliation keeps, for the care office and for the provider
/// (its own rows), and the detail report sealed to the care office. No names or insured numbers pass here.
/// </summary>
public static class ReconciliationEndpoints
{
    public static RouteGroupBuilder MapReconciliations(this RouteGroupBuilder api)
    {
        api.MapGet("/reconciliations", List).Produces<ReconciliationPage>();
        api.MapGet("/reconciliations/{id:guid}/report", Report).Produces<Stream>(StatusCodes.Status200OK, ApiContract.Cms).WithMetadata(new AuditAction("reconciliation-report"));
        return api;
    }

    static async Task<IResult> List(string? serviceMonth, ClaimsPrincipal user, IRequestClient<ListReconciliations> client, CancellationToken cancellationToken)
    {
        if (serviceMonth is null || !DateTime.TryParseExact(serviceMonth, "yyyyMM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return Problems.Of(400, "service-month", "A service month is needed", "サービス提供年月が必要です",
                "Give serviceMonth as YYYYMM, e.g. ?serviceMonth=202506.", "serviceMonthをYYYYMM形式で指定してください（例: ?serviceMonth=202506）。");
        var list = await client.Answer<ListReconciliations, ReconciliationList>(new ListReconciliations { Office = user.Office(), ServiceMonth = serviceMonth }, cancellationToken);
        var office = user.Office();
        return TypedResults.Ok(new ReconciliationPage([.. list.Items.Select(r => new ReconciliationItem(r.ReconciliationId, r.CareOffice, r.ProviderOffice, r.ServiceMonth,
            r.UsersCompared, r.UsersMatched, r.UsersWithDifferences, r.NotDelivered, r.NotPlanned, r.DifferentServiceCode, r.DifferentTimesOrUnits, r.DifferentCounts,
            r.UsersWithoutPlan, r.UsersOverLimit, r.PlanSubmissionId, r.ActualSubmissionId,
            // The detail names users: only the care office, which holds both files, gets it.
            r.CareOffice == office ? new ReportLink($"/v1/reconciliations/{r.ReconciliationId}/report", list.Sealed.Contains(r.ReconciliationId)) : null))]));
    }

    static async Task<IResult> Report(Guid id, ClaimsPrincipal user, IRequestClient<GetReconciliationReport> client, PostgresMessageDataRepository payloads,
        CancellationToken cancellationToken)
    {
        var location = await client.Answer<GetReconciliationReport, ReconciliationReportLocation>(new GetReconciliationReport { ReconciliationId = id, Office = user.Office() }, cancellationToken);
        if (!location.Found)
            return Problems.NotFound("reconciliation", "突合結果");
        if (location.SealedReport is null)
            return Problems.Of(409, "report-not-ready", "The report is being sealed", "報告書を暗号化しています",
                "The detail report is not sealed yet; try again shortly.", "詳細報告書はまだ暗号化中です。しばらくしてから再度取得してください。");
        try
        {
            return Results.File(await payloads.Get(location.SealedReport, cancellationToken), ApiContract.Cms, $"reconciliation-{id}.p7m");
        }
        catch (MessageDataNotFoundException)
        {
            return Problems.Of(410, "purged", "The report was purged", "報告書は保存期間を過ぎて削除されました",
                "The sealed report is past its retention period.", "暗号化された報告書は保存期間を過ぎたため削除されました。");
        }
    }
}
