using MassTransit;

namespace CarePlanMesh.Contracts;

/// <summary>Every file of the send unit passed validation (warnings do not block delivery).</summary>
[PublishedEvent("validation")]
public record SubmissionValidated
{
    public Guid SubmissionId { get; init; }
    public int FileCount { get; init; }
    public int RecordCount { get; init; }
    public int WarningCount { get; init; }
    public IReadOnlyList<string> RuleIds { get; init; } = [];
    /// <summary>Claim check: JSON array of the warnings, when there are any.</summary>
    public MessageData<byte[]>? DefectReport { get; init; }
}
