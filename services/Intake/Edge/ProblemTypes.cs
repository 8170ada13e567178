namespace CarePlanMesh.Intake.Edge;

/// <summary>
/// Every problem type the public API answers, by reason: the type URI is urn:careplanmesh:problem:&lt;reason&gt;, and
/// docs/api.md has a section named after each reason (status, meaning, what to do, in Japanese and English). The OpenAPI
/// document lists them under x-problem-types; a test holds this list, the document and docs/api.md together.
/// </summary>
public static class ProblemTypes
{
    public const string Prefix = "urn:careplanmesh:problem:";

    public static readonly IReadOnlyList<(string Reason, int Status, string Title)> All =
    [
        ("malformed-request", 400, "Malformed request"),
        ("invalid-query", 400, "Invalid query parameter"),
        ("not-multipart", 400, "Expected multipart/form-data"),
        ("unknown-part", 400, "Unknown form parts"),
        ("no-files", 400, "No files"),
        ("idempotency-key-invalid", 400, "Idempotency-Key not usable"),
        ("office-invalid", 400, "Not an office number"),
        ("user-id-invalid", 400, "User ID not accepted"),
        ("password-weak", 400, "Password too short"),
        ("certificate-unreadable", 400, "Certificate not readable"),
        ("partner-missing", 400, "No partner named"),
        ("partner-invalid", 400, "Partner not valid"),
        ("email-invalid", 400, "E-mail address not valid"),
        ("client-certificate", 401, "Client certificate not accepted"),
        ("sign-in-failed", 401, "Sign-in failed"),
        ("account-locked", 401, "Account locked"),
        ("sender-mismatch", 403, "You may send only as your own office"),
        ("admin-only", 403, "Forbidden"),
        ("not-partners", 403, "Not partners"),
        ("partnership-inactive", 403, "Partnership not active"),
        ("licence-invalid", 403, "No valid licence"),
        ("not-registered", 403, "Office not registered"),
        ("not-found", 404, "Not found"),
        ("partner-not-registered", 404, "Partner not registered"),
        ("duplicate", 409, "The same files were already sent"),
        ("idempotency-in-progress", 409, "The first request with this key is still running"),
        ("not-acknowledgeable", 409, "This delivery can no longer be acknowledged"),
        ("already-picked-up", 409, "Already picked up"),
        ("not-withdrawable", 409, "Not withdrawable"),
        ("receipt-not-yet", 409, "No such receipt yet"),
        ("partnership-exists", 409, "Partnership exists"),
        ("not-allowed-now", 409, "Not allowed in this state"),
        ("free-pass-used", 409, "Free pass already used"),
        ("free-pass-closed", 409, "Free pass applications closed"),
        ("certificate-refused", 422, "Certificate not accepted"),
        ("certificate-not-registered", 401, "Certificate not registered"),
        ("certificate-revoked", 401, "Certificate revoked"),
        ("purged", 410, "The package was purged"),
        ("too-large", 413, "Request too large"),
        ("invalid-upload", 422, "The files are not one valid send unit"),
        ("unknown-recipient", 422, "Unknown recipient"),
        ("unknown-sender", 422, "Unknown sender"),
        ("same-office", 422, "Sender and recipient are the same office"),
        ("idempotency-key-reused", 422, "Idempotency-Key used for another request"),
        ("rate-limited", 429, "Too many requests"),
        ("internal-error", 500, "Internal error"),
        ("routing-unavailable", 503, "Routing is not answering"),
        ("pipeline-busy", 503, "The relay is busy"),
        ("notification-unavailable", 503, "Notification is not answering"),
        ("dependency-unavailable", 503, "A relay service is not answering"),
        ("database-unavailable", 503, "The database is not answering"),
        ("bus-unavailable", 503, "The message bus is not answering"),
    ];
}
