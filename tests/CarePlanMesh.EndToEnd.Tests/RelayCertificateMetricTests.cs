using System.Globalization;
using System.Text.RegularExpressions;
using CarePlanMesh.Security;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The relay's own certificate has an expiry gauge beside the office certificates' (docs/operations.md).</summary>
[Collection(MeshCollection.Name)]
public sealed partial class RelayCertificateMetricTests(MeshFixture mesh)
{
    [Fact]
    public async Task Crypto_serves_the_seconds_until_the_relay_certificate_expires()
    {
        var notAfter = new DateTimeOffset(Pem.LoadCertificate(Path.Combine(mesh.DemoDirectory, "relay", "cert.pem")).NotAfter.ToUniversalTime());
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(mesh.Management["crypto"], "/metrics"));

        var sample = Sample().Match(metrics);
        Assert.True(sample.Success, "careplanmesh_relay_certificate_expiry_seconds is not served");
        var seconds = double.Parse(sample.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(seconds, (notAfter - DateTimeOffset.UtcNow).TotalSeconds - 60, (notAfter - DateTimeOffset.UtcNow).TotalSeconds + 1);
    }

    [GeneratedRegex(@"^careplanmesh_relay_certificate_expiry_seconds(?:\{[^}]*\})? (\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
