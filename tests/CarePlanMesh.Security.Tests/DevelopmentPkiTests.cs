using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CarePlanMesh.Security.Tests;

public sealed class DevelopmentPkiTests(DevelopmentPkiFixture pki) : IClassFixture<DevelopmentPkiFixture>
{
    static readonly string[] Offices = ["0300000100", "0300000005", "0300000007", "0100000001"];

    static string[] Usages(X509Certificate2 certificate) =>
        [.. certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value!)];

    static X509KeyUsageFlags KeyUsage(X509Certificate2 certificate) => certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages;

    [Fact]
    public void Create_writes_every_certificate_and_key_file()
    {
        string[] expected =
        [
            "ca.pem", "ca-key.pem", "server/cert.pem", "server/key.pem", "relay/cert.pem", "relay/key.pem", "offices.json",
            .. Offices.SelectMany(o => new[] { $"offices/{o}/cert.pem", $"offices/{o}/key.pem", $"offices/{o}/user.json" }),
        ];
        foreach (var file in expected)
            Assert.True(File.Exists(pki.PathOf(file)), $"{file} was not written");
    }

    [Fact]
    public void Key_files_are_readable_by_the_owner_only()
    {
        if (OperatingSystem.IsWindows())
            return;
        foreach (var key in new[] { "ca-key.pem", "server/key.pem", "relay/key.pem", "offices/0300000100/key.pem", "offices/0300000100/user.json" })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pki.PathOf(key)));
    }

    [Fact]
    public void Offices_json_parses_back_with_absolute_certificate_paths()
    {
        var entries = OfficeDirectoryFile.Read(pki.PathOf("offices.json"));

        Assert.Equal(Offices, entries.Select(e => e.OfficeNumber));
        var careOffice = entries[0];
        Assert.Equal(["43"], careOffice.ServiceTypes);
        Assert.Equal("デモ居宅介護支援事業所", careOffice.Name);
        Assert.True(Path.IsPathFullyQualified(careOffice.Certificate));
        Assert.Equal(Path.GetFullPath(pki.PathOf("offices", "0300000100", "cert.pem")), careOffice.Certificate);
        Assert.All(entries, e => Assert.Equal(e.OfficeNumber, OfficeCertificates.GetOfficeNumber(Pem.LoadCertificate(e.Certificate))));
        // Staff: the password only as a PBKDF2 hash here; the plain one in the office's user.json; only the operator is an admin.
        var user = JsonDocument.Parse(File.ReadAllText(pki.PathOf("offices", "0300000100", "user.json"))).RootElement;
        var staff = Assert.Single(careOffice.Staff);
        Assert.Equal(user.GetProperty("userId").GetString(), staff.UserId);
        Assert.True(PasswordHash.Verify(user.GetProperty("password").GetString()!, staff.PasswordHash));
        Assert.DoesNotContain(user.GetProperty("password").GetString()!, File.ReadAllText(pki.PathOf("offices.json")));
        Assert.Equal(["0100000001"], entries.Where(e => e.Staff.Any(s => s.Roles.Contains("admin"))).Select(e => e.OfficeNumber));
    }

    [Fact]
    public void Offices_json_has_the_agreed_field_names_and_relative_paths()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(pki.PathOf("offices.json")));
        var first = json.RootElement[0];
        Assert.Equal("0300000100", first.GetProperty("officeNumber").GetString());
        Assert.Equal("43", first.GetProperty("serviceTypes")[0].GetString());
        Assert.Equal("デモ居宅介護支援事業所", first.GetProperty("name").GetString());
        Assert.Equal("offices/0300000100/cert.pem", first.GetProperty("certificate").GetString());
    }

    [Fact]
    public void Office_certificates_carry_the_office_number_name_and_usages_and_pass_the_validator()
    {
        var validator = new ClientCertificateValidator(pki.Ca);
        foreach (var office in DevelopmentPki.DefaultOffices)
        {
            using var certificate = pki.WithKey("offices", office.OfficeNumber);
            Assert.Equal(office.OfficeNumber, certificate.GetNameInfo(X509NameType.SimpleName, false));
            Assert.Contains($"O={office.Name}", certificate.Subject);
            Assert.Equal([TestPki.ClientAuth, TestPki.EmailProtection], Usages(certificate));
            Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, KeyUsage(certificate));
            Assert.Equal(2048, certificate.GetRSAPublicKey()!.KeySize);
            Assert.InRange(certificate.NotAfter - certificate.NotBefore, TimeSpan.FromDays(365 * 2 - 1), TimeSpan.FromDays(366 * 2 + 1));
            var check = validator.Validate(certificate, DateTimeOffset.UtcNow);
            Assert.True(check.IsValid, check.ReasonEn);
            Assert.Equal(office.OfficeNumber, check.OfficeNumber);
        }
    }

    [Fact]
    public void The_server_certificate_names_the_loopback_addresses_and_localhost_for_serverAuth()
    {
        using var server = Pem.LoadCertificate(pki.PathOf("server", "cert.pem"));
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], Usages(server));
        Assert.True(server.MatchesHostname("localhost"));
        Assert.True(server.MatchesHostname("127.0.0.1"));
        Assert.True(server.MatchesHostname("::1"));
        Assert.Null(OfficeCertificates.GetOfficeNumber(server));
    }

    [Fact]
    public void The_relay_certificate_is_a_signing_certificate_named_CarePlanMesh_relay()
    {
        using var relay = Pem.LoadCertificate(pki.PathOf("relay", "cert.pem"));
        Assert.Equal("CarePlanMesh relay", relay.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal([TestPki.EmailProtection], Usages(relay));
        Assert.True(KeyUsage(relay).HasFlag(X509KeyUsageFlags.DigitalSignature));
        Assert.False(new ClientCertificateValidator(pki.Ca).Validate(relay, DateTimeOffset.UtcNow).IsValid);
    }

    [Fact]
    public void The_CA_is_a_ten_year_CA_that_no_other_certificate_outlives()
    {
        using var ca = pki.Ca;
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.InRange(ca.NotAfter - ca.NotBefore, TimeSpan.FromDays(3650), TimeSpan.FromDays(3655));
    }

    [Fact]
    public void Create_refuses_an_invalid_office_number()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cpm-pki-" + Guid.NewGuid().ToString("N"));
        Assert.Throws<ArgumentException>(() => DevelopmentPki.Create(directory, [new DemoOffice("030000010", ["43"], "短い番号")]));
        Assert.False(Directory.Exists(directory));
    }
}
