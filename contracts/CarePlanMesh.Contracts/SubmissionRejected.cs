using MassTransit;

namespace CarePlanMesh.Contracts;

/// <summary>Validation found errors; the send unit is not delivered. Only counts and rule ids travel here; the defect list is behind the claim check.</summary>
[PublishedEvent("validation")]
public record SubmissionRejected
{
    public Guid SubmissionId { get; init; }
    public int ErrorCount { get; init; }
    public int WarningCount { get; init; }
    public IReadOnlyList<string> RuleIds { get; init; } = [];
    /// <summary>Claim check: JSON array of defects (file, line, column, field, rule, severity, messages in Japanese and English).</summary>
    public MessageData<byte[]> DefectReport { get; init; } = null!;
}
