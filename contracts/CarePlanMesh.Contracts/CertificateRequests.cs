namespace CarePlanMesh.Contracts;

/// <summary>
/// Request to crypto at sign-in: is this client certificate registered for the office, and not revoked?
/// Answered with <see cref="CertificateChecked"/>.
/// </summary>
public record CheckCertificate
{
    public string Office { get; init; } = "";
    /// <summary>The certificate's DER bytes (public, no personal data).</summary>
    public byte[] Certificate { get; init; } = [];
}

public record CertificateChecked
{
    public bool Accepted { get; init; }
    /// <summary>not-registered or revoked when refused.</summary>
    public string? Reason { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>Command to crypto: revoke an office certificate at once (queue crypto-certificates).</summary>
public record RevokeCertificate
{
    public string Office { get; init; } = "";
    /// <summary>SHA-256 thumbprint of the certificate, upper-case hex.</summary>
    public string Thumbprint { get; init; } = "";
}

/// <summary>Event: an office certificate was revoked; intake ends every session signed in with it.</summary>
[PublishedEvent("crypto")]
public record CertificateRevoked
{
    public string Office { get; init; } = "";
    public string Thumbprint { get; init; } = "";
    public DateTimeOffset RevokedAt { get; init; }
}
