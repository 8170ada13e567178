using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security;

public static class OfficeNumber
{
    /// <summary>介護保険事業所番号: exactly 10 ASCII digits.</summary>
    public static bool IsValid(string? value) => value is { Length: 10 } && value.All(char.IsAsciiDigit);
}

public static class OfficeCertificates
{
    /// <summary>The office number a certificate is issued to: its subject CN, when that is a valid office number.</summary>
    public static string? GetOfficeNumber(X509Certificate2 certificate)
    {
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return OfficeNumber.IsValid(commonName) ? commonName : null;
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
public sealed class ClientCertificateValidator(X509Certificate2 trustAnchor)
{
    const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public CertificateCheck Validate(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime())
            return CertificateCheck.Refused($"証明書の有効期間がまだ始まっていません（{certificate.NotBefore:yyyy-MM-dd}から）。",
                $"The certificate is not valid yet (valid from {certificate.NotBefore:yyyy-MM-dd}).");
        if (now > certificate.NotAfter.ToUniversalTime())
            return CertificateCheck.Refused($"証明書の有効期限が切れています（{certificate.NotAfter:yyyy-MM-dd}まで）。",
                $"The certificate expired on {certificate.NotAfter:yyyy-MM-dd}.");

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustAnchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (!chain.Build(certificate))
            return CertificateCheck.Refused("この証明書は本中継サービスの認証局が発行したものではありません。",
                "The certificate was not issued by the relay's certificate authority.");

        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usages is not null && usages.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().All(o => o.Value != ClientAuthentication))
            return CertificateCheck.Refused("この証明書はクライアント認証用ではありません。", "The certificate is not meant for client authentication.");

        var office = OfficeCertificates.GetOfficeNumber(certificate);
        return office is null
            ? CertificateCheck.Refused("証明書に10桁の事業所番号（CN）がありません。", "The certificate does not name a 10-digit office number as its CN.")
            : new CertificateCheck(true, office, null, null);
    }
}
