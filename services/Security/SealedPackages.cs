using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security;

/// <summary>
/// Seals a payload for its recipients: CMS SignedData (SHA-256, the relay's certificate included) wrapped in CMS
/// EnvelopedData (AES-256-CBC, RSA-OAEP with SHA-256 per recipient certificate), DER encoded. Opens with
/// `openssl cms -decrypt` and then `openssl cms -verify -CAfile ca.pem`.
/// </summary>
public sealed class PackageSealer(X509Certificate2 relaySigningCertificateWithKey, X509Certificate2Collection? chain = null)
{
    static readonly Oid Sha256 = new("2.16.840.1.101.3.4.2.1");
    static readonly Oid Aes256Cbc = new("2.16.840.1.101.3.4.1.42");

    public byte[] Seal(ReadOnlySpan<byte> content, IReadOnlyCollection<X509Certificate2> recipients)
    {
        if (recipients.Count == 0)
            throw new ArgumentException("A package needs at least one recipient certificate.", nameof(recipients));

        var signed = new SignedCms(new ContentInfo(content.ToArray()), detached: false);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, relaySigningCertificateWithKey)
        {
            DigestAlgorithm = Sha256,
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        if (chain is not null)
            signer.Certificates.AddRange(chain);
        signer.SignedAttributes.Add(new Pkcs9SigningTime(DateTime.UtcNow));
        signed.ComputeSignature(signer);

        var enveloped = new EnvelopedCms(new ContentInfo(signed.Encode()), new AlgorithmIdentifier(Aes256Cbc));
        var recipientInfos = new CmsRecipientCollection();
        foreach (var recipient in recipients)
            recipientInfos.Add(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, recipient, RSAEncryptionPadding.OaepSHA256));
        enveloped.Encrypt(recipientInfos);
        return enveloped.Encode();
    }
}

public sealed record OpenedPackage(byte[] Content, X509Certificate2 Signer, DateTimeOffset? SigningTime);

public sealed class SealedPackageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What a recipient does with a sealed package: decrypt with its key, then check the relay's signature and chain.</summary>
public static class PackageOpener
{
    public static OpenedPackage Open(byte[] sealedPackage, X509Certificate2 recipientWithKey, X509Certificate2 trustAnchor)
    {
        var enveloped = new EnvelopedCms();
        try
        {
            enveloped.Decode(sealedPackage);
            enveloped.Decrypt(new X509Certificate2Collection(recipientWithKey));
        }
        catch (CryptographicException exception)
        {
            throw new SealedPackageException("The package cannot be decrypted with this key: it is damaged or sealed for someone else.", exception);
        }

        var signed = new SignedCms();
        try
        {
            signed.Decode(enveloped.ContentInfo.Content);
            signed.CheckSignature(verifySignatureOnly: true);
        }
        catch (CryptographicException exception)
        {
            throw new SealedPackageException("The relay's signature on the package does not verify: the content was altered.", exception);
        }

        var signerInfo = signed.SignerInfos[0];
        var signerCertificate = signerInfo.Certificate ?? throw new SealedPackageException("The package does not carry its signer's certificate.");
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustAnchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.AddRange(signed.Certificates);
        if (!chain.Build(signerCertificate))
            throw new SealedPackageException("The package was signed by a certificate that does not chain to the trusted CA.");

        var signingTime = signerInfo.SignedAttributes.Cast<CryptographicAttributeObject>()
            .SelectMany(a => a.Values.Cast<AsnEncodedData>()).OfType<Pkcs9SigningTime>().Select(t => (DateTimeOffset?)t.SigningTime).FirstOrDefault();
        return new OpenedPackage(signed.ContentInfo.Content, signerCertificate, signingTime);
    }
}
