namespace CarePlanMesh.Contracts;

/// <summary>The saga ended in Failed: a step refused the submission or did not answer after every retry.</summary>
[PublishedEvent("intake")]
public record SubmissionFailed
{
    public Guid SubmissionId { get; init; }
    /// <summary>The state in which it failed: Validating, Sealing or Routing.</summary>
    public string Step { get; init; } = "";
    public string Reason { get; init; } = "";
    public string ReasonJa { get; init; } = "";
    public string ReasonEn { get; init; } = "";
}
