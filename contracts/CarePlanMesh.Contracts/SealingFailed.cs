namespace CarePlanMesh.Contracts;

/// <summary>The payload could not be sealed (e.g. no certificate registered for the recipient).</summary>
[PublishedEvent("crypto")]
public record SealingFailed
{
    public Guid SubmissionId { get; init; }
    public string Reason { get; init; } = "";
    public string ReasonJa { get; init; } = "";
    public string ReasonEn { get; init; } = "";
}
