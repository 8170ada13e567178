namespace CarePlanMesh.Contracts;

/// <summary>The sealed package is in the recipient's mailbox.</summary>
public record SubmissionRouted
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    public DateTimeOffset RoutedAt { get; init; }
}
