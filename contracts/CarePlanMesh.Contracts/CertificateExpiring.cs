namespace CarePlanMesh.Contracts;

/// <summary>
/// Event: an office's or the relay's certificate expires soon — published once when it comes within 90, 30 and 7 days
/// (configurable) by crypto's daily check. Notification delivers it.
/// </summary>
[PublishedEvent("crypto")]
public record CertificateExpiring
{
    /// <summary>The office number, or null for the relay's own signing certificate.</summary>
    public string? Office { get; init; }
    public string Thumbprint { get; init; } = "";
    public DateTimeOffset NotAfter { get; init; }
    public int DaysLeft { get; init; }
    /// <summary>The warning threshold crossed, in days (e.g. 90, 30 or 7).</summary>
    public int Threshold { get; init; }
}
