namespace CarePlanMesh.Contracts;

/// <summary>Command to the notification service: tell an office about one of its submissions or deliveries.</summary>
public record NotifyOffice
{
    public Guid SubmissionId { get; init; }
    public string OfficeNumber { get; init; } = "";
    /// <summary>One of <see cref="NotificationTopics"/>.</summary>
    public string Topic { get; init; } = "";
}

public static class NotificationTopics
{
    public const string DeliveryAvailable = "delivery-available";
    public const string SubmissionRejected = "submission-rejected";
    public const string SubmissionFailed = "submission-failed";
    public const string SubmissionExpired = "submission-expired";
    public const string DeliveryAcknowledged = "delivery-acknowledged";
    public const string DeliveryWithdrawn = "delivery-withdrawn";
    /// <summary>A unit arrived with a 連番 lower than one already delivered from the same sender (told to both offices).</summary>
    public const string OutOfOrder = "out-of-order";
    /// <summary>A reconciliation of 予定 against 実績 is ready for the care office (its id is the 実績 submission's).</summary>
    public const string ReconciliationReady = "reconciliation.ready";
}
