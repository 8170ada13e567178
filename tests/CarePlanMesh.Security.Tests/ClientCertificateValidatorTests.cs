namespace CarePlanMesh.Security.Tests;

public sealed class ClientCertificateValidatorTests
{
    static readonly TestPki Pki = new();
    static readonly ClientCertificateValidator Validator = new(Pki.Ca);
    static DateTimeOffset Now => DateTimeOffset.UtcNow;

    static void AssertRefused(CertificateCheck check, string english)
    {
        Assert.False(check.IsValid);
        Assert.Null(check.OfficeNumber);
        Assert.False(string.IsNullOrWhiteSpace(check.ReasonJa));
        Assert.Contains(english, check.ReasonEn);
    }

    [Fact]
    public void Accepts_an_office_certificate_from_the_CA_and_names_the_office()
    {
        using var certificate = Pki.Office("0300000100");
        var check = Validator.Validate(certificate, Now);
        Assert.True(check.IsValid, check.ReasonEn);
        Assert.Equal("0300000100", check.OfficeNumber);
        Assert.Null(check.ReasonJa);
        Assert.Null(check.ReasonEn);
    }

    [Fact]
    public void Rejects_a_certificate_issued_by_another_CA()
    {
        var other = new TestPki("Test CA");
        using var certificate = other.Office("0300000100");
        AssertRefused(Validator.Validate(certificate, Now), "not issued by the relay's certificate authority");
    }

    [Fact]
    public void Rejects_a_self_signed_certificate_naming_an_office()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=0300000100",
            key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1));
        AssertRefused(Validator.Validate(certificate, Now), "not issued by the relay's certificate authority");
    }

    [Fact]
    public void Rejects_an_expired_certificate()
    {
        using var certificate = Pki.Issue("CN=0300000100", [TestPki.ClientAuth], Now.AddYears(-2), Now.AddDays(-1));
        AssertRefused(Validator.Validate(certificate, Now), "expired");
    }

    [Fact]
    public void Rejects_a_certificate_that_is_not_valid_yet()
    {
        using var certificate = Pki.Issue("CN=0300000100", [TestPki.ClientAuth], Now.AddDays(1), Now.AddYears(1));
        AssertRefused(Validator.Validate(certificate, Now), "not valid yet");
    }

    [Fact]
    public void Judges_validity_at_the_given_time_not_the_clock()
    {
        using var certificate = Pki.Office();
        AssertRefused(Validator.Validate(certificate, Now.AddYears(2)), "expired");
    }

    [Fact]
    public void Rejects_a_certificate_without_the_clientAuth_usage()
    {
        using var certificate = Pki.Issue("CN=0300000100", [TestPki.EmailProtection]);
        AssertRefused(Validator.Validate(certificate, Now), "not meant for client authentication");
    }

    [Fact]
    public void Rejects_a_certificate_without_any_extended_key_usage()
    {
        using var certificate = Pki.Issue("CN=0300000100", usages: null);
        AssertRefused(Validator.Validate(certificate, Now), "not meant for client authentication");
    }

    [Fact]
    public void Rejects_the_CA_certificate_itself()
    {
        AssertRefused(Validator.Validate(Pki.Ca, Now), "not meant for client authentication");
    }

    [Fact]
    public void Rejects_a_certificate_whose_CN_is_not_an_office_number()
    {
        using var certificate = Pki.Issue("CN=Demo office, O=0300000100", [TestPki.ClientAuth]);
        AssertRefused(Validator.Validate(certificate, Now), "10-digit office number");
    }
}
