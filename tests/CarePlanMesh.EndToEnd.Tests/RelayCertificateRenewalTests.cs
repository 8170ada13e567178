using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CarePlanMesh.Security;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The relay renews its signing certificate as docs/operations.md says ("Renewing the relay's signing certificate"): a package
/// sealed before the switch and one sealed after both reach an office agent that was given the bundle of old and new.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class RelayCertificateRenewalTests(MeshFixture mesh) : IAsyncLifetime
{
    readonly string _work = Directory.CreateTempSubdirectory("careplanmesh-renewal-").FullName;
    AgentProcess _provider = null!;

    string RelayFile(string name) => Path.Combine(mesh.DemoDirectory, "relay", name);

    public Task InitializeAsync()
    {
        _provider = new AgentProcess(mesh, MeshFixture.RenewalProvider, _work);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task An_agent_given_the_old_and_new_relay_certificates_opens_packages_sealed_before_and_after_the_switch()
    {
        var sender = mesh.ClientFor(MeshFixture.RenewalCareOffice);
        const string before = "20250801090000", after = "20250801100000";
        var (sealedBefore, _) = await mesh.SubmitAndWaitFor(sender,
            SampleFiles.PlanSendUnit(before, MeshFixture.RenewalCareOffice, MeshFixture.RenewalProvider), "AwaitingPickup");

        // Steps 1–2 of the runbook: a new certificate from the same CA, published with the old one as one bundle file.
        var oldCertificate = await File.ReadAllTextAsync(RelayFile("cert.pem"));
        var oldKey = await File.ReadAllTextAsync(RelayFile("key.pem"));
        var (newCertificate, newKey) = RenewedRelayCertificate();
        var oldFile = Path.Combine(_work, "relay-old.pem");
        var newFile = Path.Combine(_work, "relay-new.pem");
        var bundle = Path.Combine(_work, "relay-bundle.pem");
        await File.WriteAllTextAsync(oldFile, oldCertificate);
        await File.WriteAllTextAsync(newFile, newCertificate);
        await File.WriteAllTextAsync(bundle, oldCertificate + newCertificate);

        Guid sealedAfter;
        // Step 3: the switch, crypto restarted on the new files; undone afterwards for the collection's other tests.
        await File.WriteAllTextAsync(RelayFile("cert.pem"), newCertificate);
        await File.WriteAllTextAsync(RelayFile("key.pem"), newKey);
        try
        {
            await mesh.Restart("crypto");
            (sealedAfter, _) = await mesh.SubmitAndWaitFor(sender,
                SampleFiles.PlanSendUnit(after, MeshFixture.RenewalCareOffice, MeshFixture.RenewalProvider), "AwaitingPickup");
        }
        finally
        {
            await File.WriteAllTextAsync(RelayFile("cert.pem"), oldCertificate);
            await File.WriteAllTextAsync(RelayFile("key.pem"), oldKey);
            await mesh.Restart("crypto");
        }

        // Offline, as an office checks by hand: the old certificate alone refuses the new package, in Japanese and English.
        var packageBefore = await Download(sealedBefore);
        var packageAfter = await Download(sealedAfter);
        var refused = await Cpm("open", packageAfter, "--out", Path.Combine(_work, "refused.zip"), "--relay", oldFile, "--json");
        Assert.Equal(1, refused.ExitCode);
        var problem = JsonDocument.Parse(refused.Output).RootElement;
        var newSerial = X509Certificate2.CreateFromPem(newCertificate).SerialNumber;
        Assert.Contains("not by the relay", problem.GetProperty("detail").GetString());
        Assert.Contains(newSerial, problem.GetProperty("detail").GetString());
        Assert.Contains("中継ではありません", problem.GetProperty("detailJa").GetString());
        Assert.Contains(newSerial, problem.GetProperty("detailJa").GetString());
        Assert.False(File.Exists(Path.Combine(_work, "refused.zip")));
        // The bundle file opens both; so does --relay given twice.
        foreach (var (package, relayOptions) in new[] { (packageBefore, new[] { "--relay", bundle }), (packageAfter, ["--relay", bundle]), (packageAfter, ["--relay", oldFile, "--relay", newFile]) })
        {
            var opened = await Cpm(["open", package, "--out", Path.Combine(_work, "opened.zip"), "--json", .. relayOptions]);
            Assert.True(opened.ExitCode == 0, opened.Error + opened.Output);
            Assert.Equal(2, JsonDocument.Parse(opened.Output).RootElement.GetProperty("trustedRelayCertificates").GetArrayLength());
        }

        // Step 4: the office's agent, restarted with the bundle, imports and acknowledges both units in 連番 order.
        _provider.Start("--relay", bundle);
        await _provider.WaitForLine($"trusting relay signing certificate CarePlanMesh relay serial {newSerial} until");
        await _provider.WaitForLine($"trusting relay signing certificate CarePlanMesh relay serial {X509Certificate2.CreateFromPem(oldCertificate).SerialNumber} until");
        await mesh.WaitForState(sender, sealedBefore, "Acknowledged");
        await mesh.WaitForState(sender, sealedAfter, "Acknowledged");
        foreach (var serial in new[] { before, after })
        {
            var received = Path.Combine(_provider.Inbox, MeshFixture.RenewalCareOffice, serial);
            foreach (var (name, content) in SampleFiles.PlanSendUnit(serial, MeshFixture.RenewalCareOffice, MeshFixture.RenewalProvider))
                Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(received, name)));
        }
        Assert.DoesNotContain(_provider.Lines, l => l.Contains("refused", StringComparison.Ordinal));
    }

    /// <summary>A new relay signing certificate and key from the mesh's development CA, as `cpm dev-pki` issues the first one.</summary>
    (string CertificatePem, string KeyPem) RenewedRelayCertificate()
    {
        using var ca = Pem.LoadCertificateWithKey(Path.Combine(mesh.DemoDirectory, "ca.pem"), Path.Combine(mesh.DemoDirectory, "ca-key.pem"));
        using var current = Pem.LoadCertificate(RelayFile("cert.pem"));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(current.SubjectName, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.4")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(2), RandomNumberGenerator.GetBytes(16));
        return (issued.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    async Task<string> Download(Guid id)
    {
        var package = Path.Combine(_work, $"{id}.p7m");
        var downloaded = await Cpm("download", id.ToString(), "--out", package);
        Assert.True(downloaded.ExitCode == 0, downloaded.Error);
        return package;
    }

    Task<(int ExitCode, string Output, string Error)> Cpm(params string[] args) => CpmProcess.Run(_work, new Dictionary<string, string>
    {
        ["CPM_URL"] = mesh.BaseAddress.ToString(),
        ["CPM_CA"] = Path.Combine(mesh.DemoDirectory, "ca.pem"),
        ["CPM_OFFICE"] = Path.Combine(mesh.DemoDirectory, "offices", MeshFixture.RenewalProvider),
    }, args);
}
