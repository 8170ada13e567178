using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security;

/// <summary>
/// Seals a payload for its recipients: CMS SignedData (SHA-256, attached content, the relay's certificate included)
/// wrapped in CMS EnvelopedData (AES-256-CBC, RSA-OAEP with SHA-256 per recipient certificate), DER encoded. Opens with
/// `openssl cms -decrypt -inform DER` and then `openssl cms -verify -inform DER -CAfile ca.pem` (OpenSSL 3).
/// </summary>
public sealed class PackageSealer
{
    internal const string Sha256 = "2.16.840.1.101.3.4.2.1";
    const string Aes256Cbc = "2.16.840.1.101.3.4.1.42";

    readonly X509Certificate2 _signer;
    readonly X509Certificate2Collection? _chain;

    /// <summary>The relay's signing certificate, for checks of its validity.</summary>
    public X509Certificate2 SigningCertificate => _signer;

    public PackageSealer(X509Certificate2 relaySigningCertificateWithKey, X509Certificate2Collection? chain = null)
    {
        ArgumentNullException.ThrowIfNull(relaySigningCertificateWithKey);
        if (!relaySigningCertificateWithKey.HasPrivateKey)
            throw new ArgumentException("The relay's signing certificate must come with its private key.", nameof(relaySigningCertificateWithKey));
        _signer = relaySigningCertificateWithKey;
        _chain = chain;
    }

    /// <summary>
    /// The relay's CMS SignedData over the content (SHA-256, attached, signing time, the relay certificate included), DER:
    /// what a sealed package holds inside its encryption, and what a signed receipt is. `openssl cms -verify -inform DER
    /// -CAfile ca.pem` checks it.
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
            throw new ArgumentException("Empty content cannot be signed.", nameof(content));
        var signed = new SignedCms(new ContentInfo(content.ToArray()), detached: false);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, _signer)
        {
            DigestAlgorithm = new Oid(Sha256),
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        if (_chain is not null)
            signer.Certificates.AddRange(_chain);
        signer.SignedAttributes.Add(new Pkcs9SigningTime(DateTime.UtcNow));
        signed.ComputeSignature(signer, silent: true);
        return signed.Encode();
    }

    public byte[] Seal(ReadOnlySpan<byte> content, IReadOnlyCollection<X509Certificate2> recipients)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        if (content.IsEmpty)
            throw new ArgumentException("An empty package cannot be signed.", nameof(content));
        if (recipients.Count == 0)
            throw new ArgumentException("A package needs at least one recipient certificate.", nameof(recipients));

        // ContentInfo defaults to id-data, so `openssl cms -decrypt` yields the DER SignedData that `cms -verify` reads.
        var enveloped = new EnvelopedCms(new ContentInfo(Sign(content)), new AlgorithmIdentifier(new Oid(Aes256Cbc), 256));
        var recipientInfos = new CmsRecipientCollection();
        foreach (var recipient in recipients)
        {
            ArgumentNullException.ThrowIfNull(recipient, nameof(recipients));
            using var publicKey = recipient.GetRSAPublicKey()
                ?? throw new ArgumentException("Every recipient certificate must carry an RSA key.", nameof(recipients));
            recipientInfos.Add(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, recipient, RSAEncryptionPadding.OaepSHA256));
        }
        enveloped.Encrypt(recipientInfos);
        return enveloped.Encode();
    }
}

public sealed record OpenedPackage(byte[] Content, X509Certificate2 Signer, DateTimeOffset? SigningTime);

/// <summary>Why a package did not open: <see cref="Exception.Message"/> in English, <see cref="MessageJa"/> in Japanese.</summary>
public sealed class SealedPackageException : Exception
{
    public SealedPackageException(string message, string messageJa, Exception? inner = null) : base(message, inner) => MessageJa = messageJa;

    public string MessageJa { get; }
}

/// <summary>What a recipient does with a sealed package: decrypt with its key, then check the relay's signature and chain.</summary>
public static class PackageOpener
{
    const string EmailProtection = "1.3.6.1.5.5.7.3.4";
    const string Data = "1.2.840.113549.1.7.1";

    /// <param name="expectedSigner">
    /// The relay's signing certificate. Office certificates from the same CA may sign too (offices sign their own uploads),
    /// so a recipient that names the relay here refuses a package any other holder of a CA certificate signed.
    /// </param>
    public static OpenedPackage Open(byte[] sealedPackage, X509Certificate2 recipientWithKey, X509Certificate2 trustAnchor, X509Certificate2? expectedSigner = null) =>
        Open(sealedPackage, recipientWithKey, trustAnchor, expectedSigner is null ? null : [expectedSigner]);

    /// <param name="relaySigners">
    /// The relay's signing certificates a recipient trusts: during a renewal the old and the new one, so that packages sealed
    /// before the switch still open. The package's signer must be exactly one of them, and is checked as the relay's
    /// certificate (chain, usage, validity when it signed) like a single one; null accepts any signer the CA vouches for.
    /// </param>
    public static OpenedPackage Open(byte[] sealedPackage, X509Certificate2 recipientWithKey, X509Certificate2 trustAnchor, IReadOnlyCollection<X509Certificate2>? relaySigners)
    {
        ArgumentNullException.ThrowIfNull(sealedPackage);
        if (relaySigners is { Count: 0 })
            throw new ArgumentException("Name at least one relay signing certificate, or none at all.", nameof(relaySigners));
        ArgumentNullException.ThrowIfNull(recipientWithKey);
        ArgumentNullException.ThrowIfNull(trustAnchor);
        using var privateKey = recipientWithKey.GetRSAPrivateKey()
            ?? throw new ArgumentException("The recipient certificate must come with its RSA private key.", nameof(recipientWithKey));

        var enveloped = new EnvelopedCms();
        try
        {
            enveloped.Decode(sealedPackage);
        }
        catch (CryptographicException exception)
        {
            throw new SealedPackageException("The package is not a CMS enveloped message: it is damaged or not a sealed package.",
                "パッケージが CMS の暗号化メッセージではありません。壊れているか、封かんされたパッケージではありません。", exception);
        }
        var recipient = enveloped.RecipientInfos.Cast<RecipientInfo>().FirstOrDefault(r => IsFor(r, recipientWithKey))
            ?? throw new SealedPackageException("The package is not sealed for this certificate.", "このパッケージはこの証明書宛てに封かんされていません。");
        try
        {
            enveloped.Decrypt(recipient, privateKey);
        }
        catch (CryptographicException exception)
        {
            throw new SealedPackageException("The package cannot be decrypted with this key: it is damaged or the key does not match the certificate.",
                "この鍵ではパッケージを復号できません。壊れているか、鍵が証明書と合っていません。", exception);
        }
        if (enveloped.ContentInfo.ContentType.Value != Data)
            throw new SealedPackageException("The package does not hold a signed message.", "パッケージに署名付きメッセージが入っていません。");

        var signed = new SignedCms();
        try
        {
            signed.Decode(enveloped.ContentInfo.Content);
        }
        catch (CryptographicException exception)
        {
            throw new SealedPackageException("The package does not hold a readable signed message.", "パッケージの署名付きメッセージを読めません。", exception);
        }
        if (signed.Detached || signed.SignerInfos.Count != 1 || signed.ContentInfo.ContentType.Value != Data)
            throw new SealedPackageException("The package's signed message is not in the relay's form (one signer, attached data).",
                "パッケージの署名付きメッセージが中継の形式（署名者1つ、データ同梱）ではありません。");
        var signerInfo = signed.SignerInfos[0];
        if (signerInfo.DigestAlgorithm.Value != PackageSealer.Sha256)
            throw new SealedPackageException("The package is not signed with SHA-256.", "パッケージが SHA-256 で署名されていません。");
        try
        {
            signed.CheckSignature(verifySignatureOnly: true);
        }
        catch (CryptographicException exception)
        {
            throw new SealedPackageException("The relay's signature on the package does not verify: the content was altered.",
                "パッケージの中継の署名を検証できません。内容が改変されています。", exception);
        }

        var signerCertificate = signerInfo.Certificate ?? throw new SealedPackageException("The package does not carry its signer's certificate.", "パッケージに署名者の証明書が含まれていません。");
        var signingTime = signerInfo.SignedAttributes.Cast<CryptographicAttributeObject>()
            .SelectMany(a => a.Values.Cast<AsnEncodedData>()).OfType<Pkcs9SigningTime>()
            .Select(t => (DateTimeOffset?)AsUtc(t.SigningTime)).FirstOrDefault();
        // The chain is judged when the relay signed, so a package stays openable after the relay's certificate expires.
        var judgedAt = signingTime is { } signedAt && signedAt <= DateTimeOffset.UtcNow.AddMinutes(5) ? signedAt : DateTimeOffset.UtcNow;
        // emailProtection, as `openssl cms -verify` demands by default (purpose smimesign).
        if (!Chains.To(trustAnchor, signerCertificate, judgedAt, signed.Certificates, EmailProtection, out var problems))
            throw new SealedPackageException($"The package was signed by a certificate that does not chain to the trusted CA for signing ({problems}).",
                $"パッケージの署名者の証明書が、信頼する認証局の署名用の証明書として検証できません（{problems}）。");

        if (relaySigners is not null && !relaySigners.Any(relay => signerCertificate.RawDataMemory.Span.SequenceEqual(relay.RawDataMemory.Span)))
        {
            var trusted = string.Join("; ", relaySigners.Select(Describe));
            throw new SealedPackageException(
                $"The package was signed by {Describe(signerCertificate)}, not by the relay (trusted relay certificates: {trusted}). "
                + "If the relay has renewed its signing certificate, the new one must be added to the trusted ones.",
                $"パッケージの署名者 {Describe(signerCertificate)} は中継ではありません（信頼する中継の証明書: {trusted}）。"
                + "中継が署名用証明書を更新した場合は、新しい証明書を信頼する証明書に加えてください。");
        }

        return new OpenedPackage(signed.ContentInfo.Content, signerCertificate, signingTime);
    }

    /// <summary>Subject, serial number and end: a renewed relay certificate has the same subject as the old one.</summary>
    static string Describe(X509Certificate2 certificate) =>
        $"'{certificate.Subject}' (serial {certificate.SerialNumber}, until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd})";

    static DateTimeOffset AsUtc(DateTime time) =>
        new(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());

    static bool IsFor(RecipientInfo recipient, X509Certificate2 certificate) => recipient.RecipientIdentifier.Value switch
    {
        System.Security.Cryptography.Xml.X509IssuerSerial issuerSerial => string.Equals(issuerSerial.SerialNumber, certificate.SerialNumber, StringComparison.OrdinalIgnoreCase)
            && issuerSerial.IssuerName == certificate.IssuerName.Name,
        string subjectKeyIdentifier => certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>()
            .Any(s => string.Equals(s.SubjectKeyIdentifier, subjectKeyIdentifier, StringComparison.OrdinalIgnoreCase)),
        _ => false,
    };
}
