using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security.Tests;

/// <summary>Certificates built in memory for the tests, so each case controls exactly one property.</summary>
sealed class TestPki
{
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string EmailProtection = "1.3.6.1.5.5.7.3.4";

    public X509Certificate2 Ca { get; }

    public TestPki(string name = "Test CA")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-5), DateTimeOffset.UtcNow.AddYears(5));
    }

    public X509Certificate2 Issue(string subject, string[]? usages, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, byte[]? serialNumber = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        if (usages is not null)
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages.Select(u => new Oid(u))], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        using var issued = request.Create(Ca, notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1),
            serialNumber ?? RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public X509Certificate2 Office(string officeNumber = "0300000100") =>
        Issue($"CN={officeNumber}, O=Test office, C=JP", [ClientAuth, EmailProtection]);

    public X509Certificate2 Relay() => Issue("CN=CarePlanMesh relay, C=JP", [EmailProtection]);

    /// <summary>A package as the relay seals it for <paramref name="recipient"/>, but signed at a chosen time.</summary>
    public static byte[] SealedAt(byte[] content, X509Certificate2 recipient, X509Certificate2 relay, DateTime signingTime)
    {
        var signed = new SignedCms(new ContentInfo(content), detached: false);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, relay) { DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1") };
        signer.SignedAttributes.Add(new Pkcs9SigningTime(signingTime));
        signed.ComputeSignature(signer, silent: true);
        var enveloped = new EnvelopedCms(new ContentInfo(signed.Encode()), new AlgorithmIdentifier(new Oid("2.16.840.1.101.3.4.1.42")));
        enveloped.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, X509CertificateLoader.LoadCertificate(recipient.RawData),
            RSAEncryptionPadding.OaepSHA256));
        return enveloped.Encode();
    }
}
