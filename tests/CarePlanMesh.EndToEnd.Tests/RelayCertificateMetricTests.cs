using CarePlanMesh.Security;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The relay's own certificate has an expiry gauge beside the office certificates' (docs/operations.md).</summary>
[Collection(MeshCollection.Name)]
public sealed class RelayCertificateMetricTests(MeshFixture mesh)
{
    [Fact]
    public async Task Crypto_serves_the_seconds_until_the_relay_certificate_expires()
    {
        var notAfter = new DateTimeOffset(Pem.LoadCertificate(Path.Combine(mesh.DemoDirectory, "relay", "cert.pem")).NotAfter.ToUniversalTime());
        var seconds = Metrics.Value(await Metrics.Scrape(mesh, "crypto"), "careplanmesh_relay_certificate_expiry_seconds");

        Assert.True(seconds != -1, "careplanmesh_relay_certificate_expiry_seconds is not served");
        Assert.InRange(seconds, (notAfter - DateTimeOffset.UtcNow).TotalSeconds - 60, (notAfter - DateTimeOffset.UtcNow).TotalSeconds + 1);
    }
}
