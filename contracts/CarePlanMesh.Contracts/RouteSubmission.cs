using MassTransit;

namespace CarePlanMesh.Contracts;

/// <summary>Command to the routing service: check the route once more and place the sealed package in the recipient's mailbox.</summary>
public record RouteSubmission
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    /// <summary>The 14-digit ファイル連番 shared by the files of the send unit.</summary>
    public string SendUnit { get; init; } = "";
    public IReadOnlyList<string> FileKinds { get; init; } = [];
    public MessageData<byte[]> SealedPackage { get; init; } = null!;
}
