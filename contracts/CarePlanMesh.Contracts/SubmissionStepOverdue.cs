namespace CarePlanMesh.Contracts;

/// <summary>Raised by the intake sweeper when a submission's deadline in the database has passed; the saga retries the step or times it out.</summary>
[PublishedEvent("intake")]
public record SubmissionStepOverdue
{
    public Guid SubmissionId { get; init; }
    public string State { get; init; } = "";
    public DateTimeOffset Deadline { get; init; }
}
