using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;

namespace CarePlanMesh.Security.Tests;

/// <summary>Recipients open packages with plain OpenSSL 3; these run the real binary on what PackageSealer writes.</summary>
public sealed class OpenSslInteropTests(DevelopmentPkiFixture pki) : IClassFixture<DevelopmentPkiFixture>
{
    const string OpenSsl = "/usr/bin/openssl";

    static byte[] SampleZip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry("UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV");
            using var stream = entry.Open();
            stream.Write(RandomNumberGenerator.GetBytes(50_000));
        }
        return buffer.ToArray();
    }

    static (int ExitCode, string Output) Run(params string[] arguments)
    {
        Assert.True(File.Exists(OpenSsl), $"{OpenSsl} is missing: install OpenSSL 3 (apt-get install openssl) to run the CMS interop tests.");
        var start = new ProcessStartInfo(OpenSsl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "openssl did not finish within a minute");
        return (process.ExitCode, output.Result + error.Result);
    }

    string Sealed(byte[] content, params string[] offices)
    {
        var sealer = new PackageSealer(pki.WithKey("relay"));
        var recipients = offices.Select(o => Pem.LoadCertificate(pki.PathOf("offices", o, "cert.pem"))).ToList();
        var path = pki.PathOf($"package-{Guid.NewGuid():N}.p7m");
        File.WriteAllBytes(path, sealer.Seal(content, recipients));
        return path;
    }

    void AssertOpenSslOpens(string package, string office, byte[] expected)
    {
        var signed = package + $".{office}.signed.der";
        var files = package + $".{office}.zip";
        var decrypt = Run("cms", "-decrypt", "-inform", "DER", "-in", package,
            "-inkey", pki.PathOf("offices", office, "key.pem"), "-recip", pki.PathOf("offices", office, "cert.pem"), "-out", signed);
        Assert.True(decrypt.ExitCode == 0, $"openssl cms -decrypt failed: {decrypt.Output}");
        var verify = Run("cms", "-verify", "-inform", "DER", "-in", signed, "-CAfile", pki.PathOf("ca.pem"), "-out", files);
        Assert.True(verify.ExitCode == 0, $"openssl cms -verify failed: {verify.Output}");
        Assert.Equal(expected, File.ReadAllBytes(files));
    }

    [Fact]
    public void OpenSsl_decrypts_and_verifies_a_sealed_package_byte_for_byte()
    {
        var content = SampleZip();
        AssertOpenSslOpens(Sealed(content, "0300000005"), "0300000005", content);
    }

    [Fact]
    public void OpenSsl_opens_a_package_sealed_for_several_offices_with_each_key()
    {
        var content = SampleZip();
        var package = Sealed(content, "0300000100", "0300000005", "0300000007");
        foreach (var office in new[] { "0300000100", "0300000005", "0300000007" })
            AssertOpenSslOpens(package, office, content);
    }

    [Fact]
    public void OpenSsl_cannot_decrypt_a_package_sealed_for_another_office()
    {
        var package = Sealed(SampleZip(), "0300000100");
        var decrypt = Run("cms", "-decrypt", "-inform", "DER", "-in", package,
            "-inkey", pki.PathOf("offices", "0300000005", "key.pem"), "-recip", pki.PathOf("offices", "0300000005", "cert.pem"),
            "-out", package + ".wrong");
        Assert.NotEqual(0, decrypt.ExitCode);
    }

    [Fact]
    public void OpenSsl_refuses_the_signature_against_another_CA()
    {
        var package = Sealed(SampleZip(), "0300000005");
        var signed = package + ".signed.der";
        Assert.Equal(0, Run("cms", "-decrypt", "-inform", "DER", "-in", package,
            "-inkey", pki.PathOf("offices", "0300000005", "key.pem"), "-recip", pki.PathOf("offices", "0300000005", "cert.pem"), "-out", signed).ExitCode);
        var otherCa = pki.PathOf("other-ca.pem");
        File.WriteAllText(otherCa, new TestPki("Other CA").Ca.ExportCertificatePem());
        Assert.NotEqual(0, Run("cms", "-verify", "-inform", "DER", "-in", signed, "-CAfile", otherCa, "-out", package + ".zip").ExitCode);
    }
}
