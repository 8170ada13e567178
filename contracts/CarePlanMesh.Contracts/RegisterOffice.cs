namespace CarePlanMesh.Contracts;

/// <summary>
/// Command to routing: register an office in the directory (or update its name and service types). Pending invitations
/// naming the office number or the contact e-mail become partnership requests.
/// </summary>
public record RegisterOffice
{
    public string OfficeNumber { get; init; } = "";
    public string Name { get; init; } = "";
    public IReadOnlyList<string> ServiceTypes { get; init; } = [];
    public string? ContactEmail { get; init; }
}

/// <summary>Event: an office joined the directory.</summary>
[PublishedEvent("routing")]
public record OfficeRegistered
{
    public string OfficeNumber { get; init; } = "";
    public IReadOnlyList<string> ServiceTypes { get; init; } = [];
    public DateTimeOffset RegisteredAt { get; init; }
}
