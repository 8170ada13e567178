namespace CarePlanMesh.Intake.Reconciliations;

/// <summary>The calling office's reconciliations of a service month, as care office or as provider.</summary>
/// <param name="Items">One per care office, provider and month whose 実績 was compared with the 予定.</param>
public sealed record ReconciliationPage(IReadOnlyList<ReconciliationItem> Items);

/// <summary>
/// The counts of one reconciliation of 第6表 予定 against 実績 (docs/reconciliation.md): no names, no insured numbers.
/// </summary>
/// <param name="Id">The reconciliation's id.</param>
/// <param name="CareOffice">The care office (居宅介護支援事業所) that sent the 予定.</param>
/// <param name="ProviderOffice">The provider that sent the 実績.</param>
/// <param name="ServiceMonth">The service month, YYYYMM.</param>
/// <param name="UsersCompared">Users in the 実績 or in this provider's rows of the 予定.</param>
/// <param name="UsersMatched">Users without any difference.</param>
/// <param name="UsersWithDifferences">Users with at least one difference.</param>
/// <param name="NotDelivered">Planned rows with no delivered row on their date.</param>
/// <param name="NotPlanned">Delivered rows with no planned row on their date.</param>
/// <param name="DifferentServiceCode">Rows planned and delivered on the same date under different service codes.</param>
/// <param name="DifferentTimesOrUnits">Rows of the same date and code with different start/end times or units.</param>
/// <param name="DifferentCounts">Per user and service code, matching rows whose サービス回数 differ.</param>
/// <param name="UsersWithoutPlan">Users in the 実績 whom the 予定 does not list for this provider.</param>
/// <param name="UsersOverLimit">Users whose planned units exceed the 区分支給限度基準額 the 利用者補足 states.</param>
/// <param name="PlanSubmissionId">The submission id of the 予定 unit compared (the latest of the pair and month).</param>
/// <param name="ActualSubmissionId">The submission id of the 実績 unit compared.</param>
/// <param name="Report">The sealed detail report; only for the care office, which holds both files.</param>
public sealed record ReconciliationItem(Guid Id, string CareOffice, string ProviderOffice, string ServiceMonth, int UsersCompared, int UsersMatched,
    int UsersWithDifferences, int NotDelivered, int NotPlanned, int DifferentServiceCode, int DifferentTimesOrUnits, int DifferentCounts,
    int UsersWithoutPlan, int UsersOverLimit, Guid PlanSubmissionId, Guid ActualSubmissionId, ReportLink? Report);

/// <summary>Where the care office downloads the sealed detail report (CMS, openable only with its key).</summary>
/// <param name="Href">GET it for application/pkcs7-mime.</param>
/// <param name="Ready">False while the report is being sealed (the download answers 409 report-not-ready until then).</param>
public sealed record ReportLink(string Href, bool Ready);
