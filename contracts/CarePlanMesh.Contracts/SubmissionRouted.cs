namespace CarePlanMesh.Contracts;

/// <summary>The sealed package is in the recipient's mailbox.</summary>
[PublishedEvent("routing")]
public record SubmissionRouted
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    public DateTimeOffset RoutedAt { get; init; }
    /// <summary>
    /// True when a unit with a higher 連番 from the same sender was already placed for this recipient: the standard
    /// imports in ascending 連番 order, so both offices are told.
    /// </summary>
    public bool OutOfOrder { get; init; }
    /// <summary>The highest 連番 already placed from this sender for this recipient when this one arrived.</summary>
    public string? LatestSendUnit { get; init; }
}
