using MassTransit;

namespace CarePlanMesh.Contracts;

/// <summary>Command to the validation service: check every file of the send unit against the standard.</summary>
public record ValidateSubmission
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    public IReadOnlyList<SubmittedFile> Files { get; init; } = [];
    /// <summary>Claim check: the ZIP of the original files, byte for byte.</summary>
    public MessageData<byte[]> Payload { get; init; } = null!;
}
