using System.Net;
using CarePlanMesh.Intake.Edge;

namespace CarePlanMesh.Intake.Tests.Edge;

/// <summary>Intake:TrustedProxies: who may forward a client certificate (a front door whose address is fixed, or a pod range).</summary>
public sealed class TrustedProxySpecs
{
    [Theory]
    [InlineData("127.0.0.2", "127.0.0.2", true)]
    [InlineData("127.0.0.2", "127.0.0.1", false)]
    [InlineData("10.244.0.0/16", "10.244.3.17", true)]
    [InlineData("10.244.0.0/16", "10.245.0.1", false)]
    [InlineData("10.244.0.0/16", "::ffff:10.244.3.17", true)]
    [InlineData("not-an-address", "10.0.0.1", false)]
    [InlineData("10.0.0.0/99", "10.0.0.1", false)]
    public void A_forwarded_certificate_is_believed_only_from_a_listed_address_or_range(string trusted, string from, bool believed) =>
        Assert.Equal(believed, OfficeCertificateAuthentication.IsTrustedProxy([trusted], IPAddress.Parse(from)));

    [Fact]
    public void Nobody_is_trusted_when_none_is_configured() =>
        Assert.False(OfficeCertificateAuthentication.IsTrustedProxy([], IPAddress.Loopback));
}
