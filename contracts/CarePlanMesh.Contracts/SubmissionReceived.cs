namespace CarePlanMesh.Contracts;

/// <summary>Intake stored a send unit and started its saga.</summary>
[PublishedEvent("intake")]
public record SubmissionReceived
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    public string SendUnit { get; init; } = "";
    public string? ServiceMonth { get; init; }
    public IReadOnlyList<string> FileKinds { get; init; } = [];
    public int FileCount { get; init; }
    public long TotalBytes { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
}
