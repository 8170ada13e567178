namespace CarePlanMesh.Contracts;

/// <summary>
/// Event: an office's licence or free pass ends soon and nothing continues it — published once per licence and threshold
/// (60 and 30 days by default) by routing's daily check. Notification delivers it.
/// </summary>
public record LicenceExpiring
{
    public string Office { get; init; } = "";
    public Guid LicenceId { get; init; }
    public string Kind { get; init; } = "";
    /// <summary>The last day the licence covers.</summary>
    public DateOnly ValidTo { get; init; }
    public int DaysLeft { get; init; }
    /// <summary>The warning threshold crossed, in days (e.g. 60 or 30).</summary>
    public int Threshold { get; init; }
}
