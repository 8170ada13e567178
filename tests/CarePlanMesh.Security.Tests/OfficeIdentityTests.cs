namespace CarePlanMesh.Security.Tests;

public sealed class OfficeIdentityTests
{
    static readonly TestPki Pki = new();

    [Theory]
    [InlineData("0300000100", true)]
    [InlineData("030000010", false)]
    [InlineData("03000001000", false)]
    [InlineData("03000001O0", false)]
    [InlineData("０３０００００１００", false)]
    [InlineData(" 300000100", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Office_number_is_exactly_ten_ascii_digits(string? value, bool valid) => Assert.Equal(valid, OfficeNumber.IsValid(value));

    [Fact]
    public void Office_number_is_read_from_the_subject_CN()
    {
        using var certificate = Pki.Office("0300000005");
        Assert.Equal("0300000005", OfficeCertificates.GetOfficeNumber(certificate));
    }

    [Fact]
    public void No_office_number_when_the_CN_is_not_ten_digits()
    {
        using var certificate = Pki.Issue("CN=Demo office, C=JP", [TestPki.ClientAuth]);
        Assert.Null(OfficeCertificates.GetOfficeNumber(certificate));
    }

    [Fact]
    public void No_office_number_when_only_another_attribute_holds_the_digits()
    {
        using var certificate = Pki.Issue("O=0300000100, OU=0300000100, C=JP", [TestPki.ClientAuth]);
        Assert.Null(OfficeCertificates.GetOfficeNumber(certificate));
    }

    [Fact]
    public void No_office_number_when_the_subject_has_two_CNs()
    {
        using var certificate = Pki.Issue("CN=0300000100, CN=0300000005, C=JP", [TestPki.ClientAuth]);
        Assert.Null(OfficeCertificates.GetOfficeNumber(certificate));
    }
}
