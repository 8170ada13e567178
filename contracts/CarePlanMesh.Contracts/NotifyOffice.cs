namespace CarePlanMesh.Contracts;

/// <summary>Command to the notification service: tell an office about one of its submissions or deliveries.</summary>
public record NotifyOffice
{
    public Guid SubmissionId { get; init; }
    public string OfficeNumber { get; init; } = "";
    /// <summary>One of <see cref="NotificationTopics"/>.</summary>
    public string Topic { get; init; } = "";
    /// <summary>Defects found by validation, on <see cref="NotificationTopics.SubmissionRejected"/>.</summary>
    public int? ErrorCount { get; init; }
    public int? WarningCount { get; init; }
    /// <summary>Which reminder of <see cref="PickupReminders"/>, on <see cref="NotificationTopics.DeliveryPickupReminder"/>.</summary>
    public string? Reminder { get; init; }
    /// <summary>When the delivery expires unless picked up, on <see cref="NotificationTopics.DeliveryPickupReminder"/>.</summary>
    public DateTimeOffset? Deadline { get; init; }
    /// <summary>
    /// Whether the office is the submission's recipient, which reads it in its mailbox, or its sender, which follows it under
    /// /v1/submissions: needed where a topic goes to both (<see cref="NotificationTopics.OutOfOrder"/>); when absent, the topic says.
    /// </summary>
    public bool? ToRecipient { get; init; }
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
    /// <summary>The recipient has not picked a delivery up yet (sent once per reminder of <see cref="PickupReminders"/>).</summary>
    public const string DeliveryPickupReminder = "delivery.pickup-reminder";
}

public static class PickupReminders
{
    /// <summary>Still unpicked some days (3 by default) after it arrived.</summary>
    public const string Unpicked = "unpicked";
    /// <summary>Its pickup deadline is near (1 day by default).</summary>
    public const string DeadlineNear = "deadline-near";
}
