namespace CarePlanMesh.Notification.Notifications;

public sealed class NotificationOptions
{
    /// <summary>The public API base that links in webhook bodies and e-mails point to (intake's Intake:PublicUrl).</summary>
    public string PublicUrl { get; set; } = "https://127.0.0.1:7443";
}
