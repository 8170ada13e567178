namespace CarePlanMesh.Contracts;

/// <summary>The notification service recorded (and, where configured, delivered) a notification to an office.</summary>
[PublishedEvent("notification")]
public record RecipientNotified
{
    public Guid SubmissionId { get; init; }
    public Guid NotificationId { get; init; }
    public string OfficeNumber { get; init; } = "";
    public string Topic { get; init; } = "";
    public string Channel { get; init; } = "";
    public DateTimeOffset NotifiedAt { get; init; }
}
