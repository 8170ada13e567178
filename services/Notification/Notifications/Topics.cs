using CarePlanMesh.Contracts;

namespace CarePlanMesh.Notification.Notifications;

/// <summary>
/// The public topic names offices subscribe to (docs/notifications.md). The saga's <see cref="NotifyOffice"/> commands carry
/// the older internal names of <see cref="NotificationTopics"/>, which are wire contract and stay; they map here.
/// </summary>
public static class Topics
{
    public const string DeliveryAvailable = "delivery.available";
    public const string DeliveryPickupReminder = "delivery.pickup-reminder";
    public const string SubmissionRejected = "submission.rejected";
    public const string SubmissionFailed = "submission.failed";
    public const string SubmissionExpired = "submission.expired";
    public const string SubmissionAcknowledged = "submission.acknowledged";
    public const string DeliveryWithdrawn = "delivery.withdrawn";
    public const string OutOfOrder = "send-unit.out-of-order";
    public const string Invitation = "invitation";
    public const string CertificateExpiring = "certificate.expiring";
    public const string LicenceExpiring = "licence.expiring";
    public const string LicenceExpired = "licence.expired";
    /// <summary>Sent only by POST /v1/webhooks/{id}/test, whatever the webhook's topics.</summary>
    public const string WebhookTest = "webhook.test";
    /// <summary>E-mail only: the office's webhook was disabled after failing for too long.</summary>
    public const string WebhookDisabled = "webhook.disabled";

    public static string Partnership(string state) => $"partnership.{state}";

    public static readonly IReadOnlyList<string> PartnershipStates = ["requested", "approved", "declined", "suspended", "ended"];

    /// <summary>Every topic an office may subscribe a webhook or its e-mail to.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        DeliveryAvailable, DeliveryPickupReminder, SubmissionRejected, SubmissionFailed, SubmissionExpired, SubmissionAcknowledged,
        DeliveryWithdrawn, OutOfOrder, .. PartnershipStates.Select(Partnership), CertificateExpiring, LicenceExpiring, LicenceExpired,
    ];

    /// <summary>What an office gets by e-mail until it chooses: everything that needs someone to act.</summary>
    public static readonly IReadOnlyList<string> EmailDefaults =
    [
        DeliveryAvailable, DeliveryPickupReminder, SubmissionRejected, SubmissionFailed, SubmissionExpired, DeliveryWithdrawn, OutOfOrder,
        Partnership("requested"), Partnership("approved"), Partnership("suspended"), Partnership("ended"),
        CertificateExpiring, LicenceExpiring, LicenceExpired,
    ];

    public static string FromCommand(string topic) => topic switch
    {
        NotificationTopics.DeliveryAvailable => DeliveryAvailable,
        NotificationTopics.SubmissionRejected => SubmissionRejected,
        NotificationTopics.SubmissionFailed => SubmissionFailed,
        NotificationTopics.SubmissionExpired => SubmissionExpired,
        NotificationTopics.DeliveryAcknowledged => SubmissionAcknowledged,
        NotificationTopics.DeliveryWithdrawn => DeliveryWithdrawn,
        NotificationTopics.OutOfOrder => OutOfOrder,
        _ => topic,
    };
}
