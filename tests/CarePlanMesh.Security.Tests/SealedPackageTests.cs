using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security.Tests;

public sealed class SealedPackageTests
{
    static readonly TestPki Pki = new();
    static readonly X509Certificate2 Relay = Pki.Relay();
    static readonly X509Certificate2 CareOffice = Pki.Office("0300000100");
    static readonly X509Certificate2 Provider = Pki.Office("0300000005");
    static readonly byte[] Content = RandomNumberGenerator.GetBytes(100_000);

    static X509Certificate2 PublicOnly(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

    [Fact]
    public void Seal_then_open_gives_back_the_same_bytes_the_signer_and_the_signing_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var sealedPackage = new PackageSealer(Relay).Seal(Content, [PublicOnly(Provider)]);

        var opened = PackageOpener.Open(sealedPackage, Provider, Pki.Ca);

        Assert.Equal(Content, opened.Content);
        Assert.Equal(Relay.Thumbprint, opened.Signer.Thumbprint);
        Assert.NotNull(opened.SigningTime);
        Assert.InRange(opened.SigningTime!.Value, before, DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public void A_package_signed_by_an_office_instead_of_the_relay_is_refused_when_the_relay_is_named()
    {
        var sealedPackage = new PackageSealer(CareOffice).Seal(Content, [PublicOnly(Provider)]);

        var failure = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(sealedPackage, Provider, Pki.Ca, expectedSigner: PublicOnly(Relay)));

        Assert.Contains("not by the relay", failure.Message);
        Assert.Equal(Content, PackageOpener.Open(new PackageSealer(Relay).Seal(Content, [PublicOnly(Provider)]), Provider, Pki.Ca, PublicOnly(Relay)).Content);
    }

    [Fact]
    public void Every_recipient_can_open_a_package_sealed_for_several()
    {
        var sealedPackage = new PackageSealer(Relay).Seal(Content, [PublicOnly(CareOffice), PublicOnly(Provider)]);

        Assert.Equal(Content, PackageOpener.Open(sealedPackage, CareOffice, Pki.Ca).Content);
        Assert.Equal(Content, PackageOpener.Open(sealedPackage, Provider, Pki.Ca).Content);
    }

    [Fact]
    public void The_package_is_AES_256_CBC_with_RSA_OAEP_SHA_256_and_not_plaintext()
    {
        var sealedPackage = new PackageSealer(Relay).Seal(Content, [PublicOnly(Provider)]);

        var enveloped = new EnvelopedCms();
        enveloped.Decode(sealedPackage);
        Assert.Equal("2.16.840.1.101.3.4.1.42", enveloped.ContentEncryptionAlgorithm.Oid.Value);
        var recipient = Assert.Single(enveloped.RecipientInfos.Cast<RecipientInfo>());
        Assert.Equal("1.2.840.113549.1.1.7", recipient.KeyEncryptionAlgorithm.Oid.Value);
        Assert.Equal(-1, sealedPackage.AsSpan().IndexOf(Content.AsSpan(0, 64)));
    }

    [Fact]
    public void Opening_with_a_key_the_package_was_not_sealed_for_fails()
    {
        var sealedPackage = new PackageSealer(Relay).Seal(Content, [PublicOnly(CareOffice)]);

        var failure = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(sealedPackage, Provider, Pki.Ca));
        Assert.Contains("not sealed for this certificate", failure.Message);
    }

    [Fact]
    public void Opening_with_a_foreign_key_under_the_recipients_name_fails()
    {
        var sealedPackage = new PackageSealer(Relay).Seal(Content, [PublicOnly(Provider)]);
        // Same issuer name and serial number as the real recipient, but another key pair from a look-alike CA.
        var lookAlike = new TestPki("Test CA");
        using var impostor = lookAlike.Issue(Provider.Subject, [TestPki.ClientAuth, TestPki.EmailProtection],
            serialNumber: Provider.GetSerialNumber().Reverse().ToArray());
        Assert.Equal(Provider.IssuerName.Name, impostor.IssuerName.Name);
        Assert.Equal(Provider.SerialNumber, impostor.SerialNumber);

        var failure = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(sealedPackage, impostor, Pki.Ca));
        Assert.Contains("cannot be decrypted", failure.Message);
    }

    [Fact]
    public void A_package_signed_while_the_relay_certificate_was_valid_still_opens_after_it_expired()
    {
        var expiredRelay = Pki.Issue("CN=CarePlanMesh relay 2023, C=JP", [TestPki.EmailProtection], DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));

        Assert.Equal(Content, PackageOpener.Open(TestPki.SealedAt(Content, Provider, expiredRelay, DateTime.UtcNow.AddDays(-5)), Provider, Pki.Ca).Content);
        // Signed after the certificate ended: refused.
        Assert.Throws<SealedPackageException>(() => PackageOpener.Open(TestPki.SealedAt(Content, Provider, expiredRelay, DateTime.UtcNow), Provider, Pki.Ca));
    }

    [Fact]
    public void A_package_with_a_flipped_byte_fails_to_open()
    {
        var sealedPackage = new PackageSealer(Relay).Seal(Content, [PublicOnly(Provider)]);
        foreach (var position in new[] { 10, sealedPackage.Length / 2, sealedPackage.Length - 20 })
        {
            var tampered = (byte[])sealedPackage.Clone();
            tampered[position] ^= 0x01;
            Assert.Throws<SealedPackageException>(() => PackageOpener.Open(tampered, Provider, Pki.Ca));
        }
    }

    [Fact]
    public void Altered_signed_content_re_encrypted_to_the_recipient_fails_the_signature_check()
    {
        var sealedPackage = new PackageSealer(Relay).Seal(Content, [PublicOnly(Provider)]);
        var enveloped = new EnvelopedCms();
        enveloped.Decode(sealedPackage);
        enveloped.Decrypt(new X509Certificate2Collection(Provider));
        var signedBytes = enveloped.ContentInfo.Content;
        var at = signedBytes.AsSpan().IndexOf(Content.AsSpan(0, 32));
        Assert.True(at > 0);
        signedBytes[at + 5] ^= 0x01;
        var forged = new EnvelopedCms(new ContentInfo(signedBytes), new AlgorithmIdentifier(new Oid("2.16.840.1.101.3.4.1.42")));
        forged.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, PublicOnly(Provider), RSAEncryptionPadding.OaepSHA256));

        var failure = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(forged.Encode(), Provider, Pki.Ca));
        Assert.Contains("signature", failure.Message);
    }

    [Fact]
    public void A_package_signed_by_a_key_not_chained_to_the_anchor_fails()
    {
        var otherCa = new TestPki("Other CA");
        var sealedPackage = new PackageSealer(otherCa.Relay()).Seal(Content, [PublicOnly(Provider)]);

        var failure = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(sealedPackage, Provider, Pki.Ca));
        Assert.Contains("does not chain to the trusted CA", failure.Message);
    }

    [Fact]
    public void A_package_signed_by_a_certificate_of_the_CA_without_the_signing_usage_fails()
    {
        using var clientOnly = Pki.Issue("CN=Not the relay", [TestPki.ClientAuth]);
        var sealedPackage = new PackageSealer(clientOnly).Seal(Content, [PublicOnly(Provider)]);

        Assert.Throws<SealedPackageException>(() => PackageOpener.Open(sealedPackage, Provider, Pki.Ca));
    }

    [Fact]
    public void Garbage_is_refused_with_a_clear_reason()
    {
        var failure = Assert.Throws<SealedPackageException>(() => PackageOpener.Open([1, 2, 3, 4], Provider, Pki.Ca));
        Assert.Contains("not a CMS enveloped message", failure.Message);
    }

    [Fact]
    public void Sealing_needs_a_signing_key_and_at_least_one_recipient()
    {
        Assert.Throws<ArgumentException>(() => new PackageSealer(PublicOnly(Relay)));
        Assert.Throws<ArgumentException>(() => new PackageSealer(Relay).Seal(Content, []));
    }
}
