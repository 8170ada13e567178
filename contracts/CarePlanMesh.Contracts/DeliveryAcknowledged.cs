namespace CarePlanMesh.Contracts;

/// <summary>The recipient acknowledged the delivery.</summary>
[PublishedEvent("intake")]
public record DeliveryAcknowledged
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    public DateTimeOffset AcknowledgedAt { get; init; }
}
