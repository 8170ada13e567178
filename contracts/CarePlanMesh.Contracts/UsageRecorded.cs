namespace CarePlanMesh.Contracts;

/// <summary>Billing-reconciliation counted a delivered send unit; the counts are the office's running totals for the month.</summary>
[PublishedEvent("billing-reconciliation")]
public record UsageRecorded
{
    public Guid SubmissionId { get; init; }
    public string OfficeNumber { get; init; } = "";
    public string? ServiceMonth { get; init; }
    public int PlanFiles { get; init; }
    public int ActualFiles { get; init; }
}
