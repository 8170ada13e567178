namespace CarePlanMesh.Contracts;

/// <summary>Event: an office was granted an annual licence or the free pass. Billing-reconciliation accounts it.</summary>
[PublishedEvent("routing")]
public record LicenceGranted
{
    public Guid LicenceId { get; init; }
    public string Office { get; init; } = "";
    public string Kind { get; init; } = "";
    public DateOnly ValidFrom { get; init; }
    public DateOnly ValidTo { get; init; }
    public int FeeYen { get; init; }
    public DateTimeOffset GrantedAt { get; init; }
}
