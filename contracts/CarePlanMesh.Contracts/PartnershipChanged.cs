namespace CarePlanMesh.Contracts;

/// <summary>Event: a partnership was requested, approved, declined, suspended or ended, or an invitation became a request.</summary>
[PublishedEvent("routing")]
public record PartnershipChanged
{
    public Guid PartnershipId { get; init; }
    public string RequesterOffice { get; init; } = "";
    public string? PartnerOffice { get; init; }
    public string State { get; init; } = "";
    /// <summary>The office that acted, or null when the relay did (an invited office registered).</summary>
    public string? ChangedBy { get; init; }
    public DateTimeOffset ChangedAt { get; init; }
}
