namespace CarePlanMesh.Contracts;

/// <summary>Command to crypto (queue crypto-certificates): register a certificate for an office, beside any it has (rollover).</summary>
public record RegisterCertificate
{
    public string Office { get; init; } = "";
    /// <summary>DER bytes of the certificate (public part only).</summary>
    public byte[] Certificate { get; init; } = [];
}

/// <summary>Command to routing (queue routing-licences): grant an annual licence from a day, at the configured fee.</summary>
public record GrantAnnualLicence
{
    public string Office { get; init; } = "";
    public DateOnly ValidFrom { get; init; }
}
