using MassTransit;

namespace CarePlanMesh.Contracts;

/// <summary>Command to the crypto service: sign and encrypt the payload for the recipient, then delete the plaintext.</summary>
public record SealSubmission
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    public MessageData<byte[]> Payload { get; init; } = null!;
}
