namespace CarePlanMesh.Contracts;

/// <summary>Routing refused the send unit (e.g. an office not registered).</summary>
[PublishedEvent("routing")]
public record RoutingFailed
{
    public Guid SubmissionId { get; init; }
    public string Reason { get; init; } = "";
    public string ReasonJa { get; init; } = "";
    public string ReasonEn { get; init; } = "";
}
