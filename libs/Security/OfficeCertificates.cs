using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security;

public static class OfficeNumber
{
    /// <summary>介護保険事業所番号: exactly 10 ASCII digits, the first two a prefecture code 01–47.</summary>
    public static bool IsValid(string? value) =>
        value is { Length: 10 } && value.All(char.IsAsciiDigit) && (value[0] - '0') * 10 + (value[1] - '0') is >= 1 and <= 47;
}

public static class OfficeCertificates
{
    const string CommonName = "2.5.4.3";

    /// <summary>The office number a certificate is issued to: its one subject CN, when that is a valid office number.</summary>
    public static string? GetOfficeNumber(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        // Not GetNameInfo(SimpleName): it falls back to O, OU or e-mail when there is no CN, so "O=0300000100" would pass.
        string? found = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements || rdn.GetSingleElementType().Value != CommonName)
                continue;
            if (found is not null)
                return null;
            found = rdn.GetSingleElementValue();
        }
        return OfficeNumber.IsValid(found) ? found : null;
    }
}

public sealed record CertificateCheck(bool IsValid, string? OfficeNumber, string? ReasonJa, string? ReasonEn)
{
    public static CertificateCheck Refused(string ja, string en) => new(false, null, ja, en);
}

/// <summary>
/// Checks an office's client certificate against the relay's own CA — never the machine's trust store —
/// and says in Japanese and English why one is refused.
/// </summary>
public sealed class ClientCertificateValidator
{
    internal const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    readonly X509Certificate2 _trustAnchor;

    public ClientCertificateValidator(X509Certificate2 trustAnchor)
    {
        ArgumentNullException.ThrowIfNull(trustAnchor);
        _trustAnchor = trustAnchor;
    }

    public CertificateCheck Validate(X509Certificate2 certificate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        if (now < notBefore)
            return CertificateCheck.Refused($"証明書の有効期間がまだ始まっていません（{notBefore:yyyy-MM-dd HH:mm} UTCから）。",
                $"The certificate is not valid yet (valid from {notBefore:yyyy-MM-dd HH:mm} UTC).");
        if (now > notAfter)
            return CertificateCheck.Refused($"証明書の有効期限が切れています（{notAfter:yyyy-MM-dd HH:mm} UTCまで）。",
                $"The certificate expired on {notAfter:yyyy-MM-dd HH:mm} UTC.");

        if (!Chains.To(_trustAnchor, certificate, now, extraStore: null, applicationPolicy: null, out _))
            return CertificateCheck.Refused("この証明書は本中継サービスの認証局が発行したものではありません。",
                "The certificate was not issued by the relay's certificate authority.");

        // An absent EKU means "any purpose" in RFC 5280; office certificates must say clientAuth explicitly.
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        var isCa = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
        if (isCa || usages is null || usages.EnhancedKeyUsages.Cast<Oid>().All(o => o.Value != ClientAuthentication))
            return CertificateCheck.Refused("この証明書はクライアント認証用ではありません。", "The certificate is not meant for client authentication.");

        var office = OfficeCertificates.GetOfficeNumber(certificate);
        return office is null
            ? CertificateCheck.Refused("証明書に10桁の事業所番号（CN）がありません。", "The certificate does not name a 10-digit office number as its CN.")
            : new CertificateCheck(true, office, null, null);
    }
}

/// <summary>The one way the relay builds a certificate chain: to one trust anchor alone (offices, the relay's signer, the front door's peers).</summary>
public static class Chains
{
    /// <summary>The extended key usage OIDs the relay's certificates carry.</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1", ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="trustAnchor"/> alone (no machine store, no revocation: the dev CA publishes no CRL).</summary>
    public static bool To(X509Certificate2 trustAnchor, X509Certificate2 certificate, DateTimeOffset now,
        X509Certificate2Collection? extraStore, string? applicationPolicy, out string problems)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustAnchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (extraStore is not null)
            chain.ChainPolicy.ExtraStore.AddRange(extraStore);
        if (applicationPolicy is not null)
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(applicationPolicy));
        var built = chain.Build(certificate);
        problems = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        // CustomRootTrust already demands the anchor at the top; checked again so a policy mistake cannot widen trust.
        return built && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(trustAnchor.RawDataMemory.Span);
    }
}
