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
}
