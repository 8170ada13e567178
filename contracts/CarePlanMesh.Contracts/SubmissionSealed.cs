using MassTransit;

namespace CarePlanMesh.Contracts;

/// <summary>The relay signed and encrypted the payload for the recipient and deleted the plaintext.</summary>
[PublishedEvent("crypto")]
public record SubmissionSealed
{
    public Guid SubmissionId { get; init; }
    public long SealedBytes { get; init; }
    public string SealedSha256 { get; init; } = "";
    public int RecipientCertificateCount { get; init; }
    public MessageData<byte[]> SealedPackage { get; init; } = null!;
}
