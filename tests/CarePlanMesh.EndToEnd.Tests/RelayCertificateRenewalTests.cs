using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CarePlanMesh.EndToEnd.Tests.Browser;
using CarePlanMesh.Security;
using static Microsoft.Playwright.Assertions;

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
    public async Task An_agent_given_the_old_and_new_relay_certificates_opens_packages_sealed_before_and_after_the_switch_and_rechecks_what_it_refused_with_one()
    {
        var sender = mesh.ClientFor(MeshFixture.RenewalCareOffice);
        const string before = "20250801090000", after = "20250801100000";
        var (sealedBefore, _) = await mesh.SubmitAndWaitFor(sender,
            SampleFiles.PlanSendUnit(before, MeshFixture.RenewalCareOffice, MeshFixture.RenewalProvider), "AwaitingPickup");

        // Steps 1–2 of the runbook: a new certificate from the same CA, published with the old one as one bundle file.
        var oldCertificate = await File.ReadAllTextAsync(RelayFile("cert.pem"));
        var oldKey = await File.ReadAllTextAsync(RelayFile("key.pem"));
        var (newCertificate, newKey) = RelayCertificate(DateTimeOffset.UtcNow.AddYears(2));
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
        refused.AssertExit(1);
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

        // Step 4: an agent that trusts one certificate only (here the new one, installed alone) refuses the unit sealed
        // before the switch and holds the sender's later unit back behind it.
        const string care = MeshFixture.RenewalCareOffice;
        _provider.Start("--relay", newFile);
        await _provider.WaitForLine($"delivery {sealedBefore} from {care} 連番 {before} refused");
        Assert.False(Directory.Exists(Path.Combine(_provider.Inbox, care, after)));
        await _provider.Kill();
        // Restarted with the bundle, it checks the refused unit again and imports and acknowledges both in 連番 order.
        _provider.Start("--relay", bundle);
        await _provider.WaitForLine($"trusting relay signing certificate CarePlanMesh relay serial {newSerial} until");
        await _provider.WaitForLine($"trusting relay signing certificate CarePlanMesh relay serial {X509Certificate2.CreateFromPem(oldCertificate).SerialNumber} until");
        await _provider.WaitForLine($"delivery {sealedBefore} from {care} 連番 {before} was refused before this start: checking it again");
        await mesh.WaitForState(sender, sealedBefore, "Acknowledged");
        await mesh.WaitForState(sender, sealedAfter, "Acknowledged");
        foreach (var serial in new[] { before, after })
        {
            var received = Path.Combine(_provider.Inbox, care, serial);
            foreach (var (name, content) in SampleFiles.PlanSendUnit(serial, care, MeshFixture.RenewalProvider))
                Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(received, name)));
        }
        var imported = _provider.Lines.Where(l => l.Contains(" imported ", StringComparison.Ordinal)).ToList();
        Assert.True(imported.FindIndex(l => l.Contains(before, StringComparison.Ordinal)) < imported.FindIndex(l => l.Contains(after, StringComparison.Ordinal)), _provider.Log());
        Assert.Single(_provider.Lines, l => l.Contains(" refused: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_agents_page_shows_each_trusted_relay_certificate_and_warns_in_both_languages_when_the_last_ends_within_30_days()
    {
        var current = await File.ReadAllTextAsync(RelayFile("cert.pem"));
        var (ending, _) = RelayCertificate(DateTimeOffset.UtcNow.AddDays(10));
        var bundle = Path.Combine(_work, "relay-bundle.pem");
        var endingOnly = Path.Combine(_work, "relay-ending.pem");
        await File.WriteAllTextAsync(bundle, current + ending);
        await File.WriteAllTextAsync(endingOnly, ending);
        static string End(string pem) => X509Certificate2.CreateFromPem(pem).NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        _provider.Start("--relay", bundle);
        await using var browser = await AgentBrowser.Launch();
        var page = await browser.Open(_provider);
        await Expect(page.Locator("#status-relay")).ToHaveTextAsync($"信頼する中継の署名用証明書: {End(current)}まで, {End(ending)}まで", new() { Timeout = 30_000 });
        await Expect(page.Locator("#banners [data-kind=relay-certificate]")).ToHaveCountAsync(0);
        await _provider.Kill();

        // Trusting only a certificate that ends in 10 days: the office has missed the renewal's new one.
        await using var late = new AgentProcess(mesh, MeshFixture.RenewalProvider, Path.Combine(_work, "late"));
        late.Start("--relay", endingOnly);
        var latePage = await browser.Open(late);
        var banner = latePage.Locator("#banners [data-kind=relay-certificate]");
        await Expect(banner).ToHaveTextAsync($"信頼している中継の署名用証明書は {End(ending)} までです。中継の運営者から新しい証明書を受け取り、--relay に加えてください。",
            new() { Timeout = 30_000 });
        await Expect(banner).ToHaveClassAsync("banner warning");
        await latePage.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Expect(banner).ToHaveTextAsync($"The relay signing certificates this agent trusts end on {End(ending)}. Get the new one from the relay operator and add it to --relay.");
        await Expect(latePage.Locator("#status-relay")).ToHaveTextAsync($"Trusted relay signing certificates: until {End(ending)}");
    }

    /// <summary>A relay signing certificate and key from the mesh's development CA, made as `cpm dev-pki` makes the first one.</summary>
    (string CertificatePem, string KeyPem) RelayCertificate(DateTimeOffset notAfter)
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
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        return (issued.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    async Task<string> Download(Guid id)
    {
        var package = Path.Combine(_work, $"{id}.p7m");
        var downloaded = await Cpm("download", id.ToString(), "--out", package);
        Assert.True(downloaded.ExitCode == 0, downloaded.Error);
        return package;
    }

    Task<CpmRun> Cpm(params string[] args) => CpmProcess.Run(_work, new Dictionary<string, string>
    {
        ["CPM_URL"] = mesh.BaseAddress.ToString(),
        ["CPM_CA"] = Path.Combine(mesh.DemoDirectory, "ca.pem"),
        ["CPM_OFFICE"] = Path.Combine(mesh.DemoDirectory, "offices", MeshFixture.RenewalProvider),
    }, args);
}
