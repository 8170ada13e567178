namespace CarePlanMesh.Contracts;

/// <summary>The saga reached Acknowledged: received, validated, sealed, routed and picked up.</summary>
[PublishedEvent("intake")]
public record SubmissionCompleted
{
    public Guid SubmissionId { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset CompletedAt { get; init; }
}
