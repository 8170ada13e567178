namespace CarePlanMesh.Contracts;

/// <summary>The recipient did not pick the package up before the deadline.</summary>
[PublishedEvent("intake")]
public record SubmissionExpired
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    public DateTimeOffset Deadline { get; init; }
}
