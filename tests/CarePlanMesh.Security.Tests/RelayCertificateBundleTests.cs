using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security.Tests;

/// <summary>
/// A recipient that trusts the relay's old and new signing certificate (a PEM bundle) during a renewal: packages sealed before
/// and after the switch both open, anything else is refused as before (docs/operations.md, "Renewing the relay's signing certificate").
/// </summary>
public sealed class RelayCertificateBundleTests : IDisposable
{
    static readonly TestPki Pki = new();
    static readonly X509Certificate2 OldRelay = Pki.Relay();
    static readonly X509Certificate2 NewRelay = Pki.Relay();
    static readonly X509Certificate2 Provider = Pki.Office("0300000005");
    static readonly byte[] Content = RandomNumberGenerator.GetBytes(10_000);

    readonly string _folder = Directory.CreateTempSubdirectory("careplanmesh-relay-bundle-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static X509Certificate2 PublicOnly(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

    /// <summary>The bundle an operator publishes before the switch: the certificates one after the other in one PEM file.</summary>
    IReadOnlyList<X509Certificate2> Bundle(params X509Certificate2[] certificates)
    {
        var path = Path.Combine(_folder, "relay-bundle.pem");
        File.WriteAllText(path, string.Join("\n", certificates.Select(c => c.ExportCertificatePem())) + "\n");
        return Pem.LoadCertificates(path);
    }

    static byte[] Seal(X509Certificate2 relay) => new PackageSealer(relay).Seal(Content, [PublicOnly(Provider)]);

    [Fact]
    public void Packages_signed_by_the_old_and_by_the_new_relay_certificate_both_open_with_a_bundle_of_the_two()
    {
        var bundle = Bundle(OldRelay, NewRelay);
        Assert.Equal([OldRelay.Thumbprint, NewRelay.Thumbprint], bundle.Select(c => c.Thumbprint));

        var sealedBefore = PackageOpener.Open(Seal(OldRelay), Provider, Pki.Ca, bundle);
        var sealedAfter = PackageOpener.Open(Seal(NewRelay), Provider, Pki.Ca, bundle);

        Assert.Equal(Content, sealedBefore.Content);
        Assert.Equal(OldRelay.Thumbprint, sealedBefore.Signer.Thumbprint);
        Assert.Equal(Content, sealedAfter.Content);
        Assert.Equal(NewRelay.Thumbprint, sealedAfter.Signer.Thumbprint);
    }

    [Fact]
    public void A_package_signed_by_a_certificate_outside_the_bundle_is_refused_in_japanese_and_english_naming_what_is_trusted()
    {
        // Issued by the same CA with the signing usage, so only the bundle tells it from the relay.
        using var other = Pki.Issue("CN=CarePlanMesh relay, C=JP", [TestPki.EmailProtection]);
        var bundle = Bundle(OldRelay, NewRelay);

        var failure = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(Seal(other), Provider, Pki.Ca, bundle));

        Assert.Contains("not by the relay", failure.Message);
        Assert.Contains("中継ではありません", failure.MessageJa);
        foreach (var text in new[] { failure.Message, failure.MessageJa })
        {
            Assert.Contains($"serial {other.SerialNumber}", text);
            Assert.Contains($"serial {OldRelay.SerialNumber}", text);
            Assert.Contains($"serial {NewRelay.SerialNumber}", text);
        }
        Assert.Contains("renewed", failure.Message);
        Assert.Contains("新しい証明書", failure.MessageJa);
    }

    [Fact]
    public void A_bundle_trusts_only_its_own_certificates_so_the_old_alone_refuses_what_the_new_signed()
    {
        var failure = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(Seal(NewRelay), Provider, Pki.Ca, Bundle(OldRelay)));

        Assert.Contains($"serial {NewRelay.SerialNumber}", failure.Message);
        Assert.Equal(Content, PackageOpener.Open(Seal(OldRelay), Provider, Pki.Ca, Bundle(OldRelay)).Content);
    }

    [Fact]
    public void Each_certificate_of_the_bundle_is_still_checked_as_the_relays_validity_when_it_signed_and_signing_usage()
    {
        var expired = Pki.Issue("CN=CarePlanMesh relay, C=JP", [TestPki.EmailProtection], DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        using var withoutSigningUsage = Pki.Issue("CN=CarePlanMesh relay, C=JP", [TestPki.ClientAuth]);
        var bundle = Bundle(expired, withoutSigningUsage, NewRelay);

        // Signed while the old certificate was valid: opens after it ended, as a single --relay certificate does.
        Assert.Equal(Content, PackageOpener.Open(TestPki.SealedAt(Content, Provider, expired, DateTime.UtcNow.AddDays(-5)), Provider, Pki.Ca, bundle).Content);
        // Signed after it ended: being in the bundle does not help.
        var late = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(TestPki.SealedAt(Content, Provider, expired, DateTime.UtcNow), Provider, Pki.Ca, bundle));
        Assert.Contains("does not chain to the trusted CA", late.Message);
        Assert.Contains("認証局", late.MessageJa);
        var usage = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(Seal(withoutSigningUsage), Provider, Pki.Ca, bundle));
        Assert.Contains("does not chain to the trusted CA for signing", usage.Message);
    }

    [Fact]
    public void A_bundle_from_another_CA_does_not_make_its_certificates_trusted()
    {
        var otherCa = new TestPki("Other CA");
        var foreignRelay = otherCa.Relay();

        var failure = Assert.Throws<SealedPackageException>(() => PackageOpener.Open(Seal(foreignRelay), Provider, Pki.Ca, Bundle(foreignRelay, NewRelay)));
        Assert.Contains("does not chain to the trusted CA", failure.Message);
    }

    [Fact]
    public void A_file_with_one_certificate_loads_as_that_one_and_a_file_without_any_is_refused()
    {
        var single = Path.Combine(_folder, "cert.pem");
        File.WriteAllText(single, OldRelay.ExportCertificatePem());
        Assert.Equal([Pem.LoadCertificate(single).Thumbprint], Pem.LoadCertificates(single).Select(c => c.Thumbprint));

        var keyOnly = Path.Combine(_folder, "key.pem");
        using var key = RSA.Create(2048);
        File.WriteAllText(keyOnly, key.ExportPkcs8PrivateKeyPem());
        Assert.Throws<CryptographicException>(() => Pem.LoadCertificates(keyOnly));
    }

    [Fact]
    public void An_empty_set_of_relay_certificates_is_a_programming_error_not_trust_in_anyone()
    {
        Assert.Throws<ArgumentException>(() => PackageOpener.Open(Seal(NewRelay), Provider, Pki.Ca, Array.Empty<X509Certificate2>()));
    }
}
