namespace CarePlanMesh.Contracts;

/// <summary>Command to the submission saga: the recipient has picked up and acknowledges the delivery.</summary>
public record AcknowledgeDelivery
{
    public Guid SubmissionId { get; init; }
    public string RecipientOffice { get; init; } = "";
}
