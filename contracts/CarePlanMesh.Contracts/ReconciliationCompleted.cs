namespace CarePlanMesh.Contracts;

/// <summary>A provider's 実績 was compared with the care office's 予定: counts only, for analytics.</summary>
[PublishedEvent("billing-reconciliation")]
public record ReconciliationCompleted
{
    public Guid ReconciliationId { get; init; }
    public string CareOffice { get; init; } = "";
    public string ProviderOffice { get; init; } = "";
    public string ServiceMonth { get; init; } = "";
    public Guid PlanSubmissionId { get; init; }
    public Guid ActualSubmissionId { get; init; }
    public int UsersCompared { get; init; }
    public int UsersMatched { get; init; }
    public int UsersWithDifferences { get; init; }
    public int NotDelivered { get; init; }
    public int NotPlanned { get; init; }
    public int DifferentServiceCode { get; init; }
    public int DifferentTimesOrUnits { get; init; }
    public int DifferentCounts { get; init; }
    public int UsersWithoutPlan { get; init; }
    public int UsersOverLimit { get; init; }
}
