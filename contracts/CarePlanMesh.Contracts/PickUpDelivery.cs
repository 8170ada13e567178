namespace CarePlanMesh.Contracts;

/// <summary>
/// Request to the submission saga: the recipient is downloading the sealed package. The saga records the first pickup,
/// which a withdrawal can no longer overtake. Answered with <see cref="DeliveryAnswer"/>.
/// </summary>
public record PickUpDelivery
{
    public Guid SubmissionId { get; init; }
    public string RecipientOffice { get; init; } = "";
}

/// <summary>
/// Request to the submission saga: the sender withdraws a submission the recipient has not picked up yet.
/// Answered with <see cref="DeliveryAnswer"/>.
/// </summary>
public record WithdrawSubmission
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
}

/// <summary>The saga's answer to <see cref="PickUpDelivery"/> and <see cref="WithdrawSubmission"/>.</summary>
public record DeliveryAnswer
{
    public Guid SubmissionId { get; init; }
    public string State { get; init; } = "";
    /// <summary>The claim-check address of the sealed package, for an allowed pickup.</summary>
    public Uri? SealedPackage { get; init; }
    public DateTimeOffset? PickedUpAt { get; init; }
    public Refusal? Refusal { get; init; }
    /// <summary>For an allowed pickup, the W3C traceparent of the request that submitted it: the download links to that trace.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>Event: the sender withdrew a submission before the recipient picked it up.</summary>
[PublishedEvent("intake")]
public record SubmissionWithdrawn
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    /// <summary>The state the submission was withdrawn from, e.g. AwaitingPickup.</summary>
    public string FromState { get; init; } = "";
    public DateTimeOffset WithdrawnAt { get; init; }
}
