namespace CarePlanMesh.Contracts;

/// <summary>Queue names of the commands. Part of the wire contract: changing one strands messages in the old queue.</summary>
public static class Queues
{
    public const string Submissions = "submission-state";
    public const string ValidateSubmission = "validate-submission";
    public const string SealSubmission = "seal-submission";
    public const string RouteSubmission = "route-submission";
    public const string CheckRoute = "check-route";
    public const string NotifyOffice = "notify-office";
    public const string RecordUsage = "record-usage";
    /// <summary>Directory search (request) and <see cref="RegisterOffice"/> (command).</summary>
    public const string Directory = "routing-directory";
    public const string Partnerships = "routing-partnerships";
    public const string Licences = "routing-licences";
    public const string SendInvitation = "send-invitation";
    /// <summary>Webhooks, the inbox and notification preferences of an office (requests), owned by notification.</summary>
    public const string NotificationRequests = "notification-requests";
    public const string SignReceipt = "sign-receipt";
    /// <summary>Certificate checks at sign-in (request) and revocation (command), owned by crypto.</summary>
    public const string Certificates = "crypto-certificates";
    /// <summary>Reconciliation facts (command), 実績 comparison and the office's results (requests), owned by billing-reconciliation.</summary>
    public const string Reconciliation = "billing-reconciliation";
    public const string SealReconciliationReport = "seal-reconciliation-report";
    /// <summary>The operator's monthly licence and usage statement (request), owned by billing-reconciliation.</summary>
    public const string BillingStatements = "billing-statements";

    // Event subscriptions: the queue through which one service receives published events.
    /// <summary>Intake ends the sessions of a revoked certificate (CertificateRevoked).</summary>
    public const string IntakeCertificateRevoked = "intake-certificate-revoked";
    /// <summary>Intake's office event stream (partnership changes, notifications).</summary>
    public const string IntakeOfficeEvents = "intake-office-events";
    /// <summary>Billing-reconciliation accounts licences (LicenceGranted).</summary>
    public const string BillingLicences = "billing-licences";

    public static Uri Address(string queue) => new($"queue:{queue}");
}
