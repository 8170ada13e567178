namespace CarePlanMesh.Contracts;

/// <summary>
/// Event: an office's licence or free pass ended and nothing continues it, so the relay no longer carries the office's files —
/// published once per licence by routing's daily check. Notification delivers it.
/// </summary>
public record LicenceExpired
{
    public string Office { get; init; } = "";
    public Guid LicenceId { get; init; }
    public string Kind { get; init; } = "";
    /// <summary>The last day the licence covered.</summary>
    public DateOnly ValidTo { get; init; }
}
