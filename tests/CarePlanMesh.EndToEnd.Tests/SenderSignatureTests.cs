using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text.Json;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Files the sender signed itself (name.p7m), as the national client does: checked before sealing, delivered signed.</summary>
[Collection(MeshCollection.Name)]
public sealed class SenderSignatureTests(MeshFixture mesh)
{
    byte[] SignAs(string office, byte[] content)
    {
        var signed = new SignedCms(new ContentInfo(content), detached: false);
        signed.ComputeSignature(new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, mesh.OfficeCertificate(office)) { DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1") }, silent: true);
        return signed.Encode();
    }

    async Task<(Guid Id, (string Name, byte[] Content)[] Files)> Submit(string serial, Func<byte[], byte[]> signPlan)
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit(serial);
        var upload = files.Select((f, i) => i == 0 ? (f.Name + ".p7m", signPlan(f.Content)) : f).ToArray();
        return (await mesh.Submit(careOffice, upload), files);
    }

    [Fact]
    public async Task A_file_signed_by_the_sender_is_checked_and_delivered_with_its_signature()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (id, files) = await Submit("20250617090000", plan => SignAs(MeshFixture.CareOffice, plan));

        var status = await mesh.WaitForState(careOffice, id, "AwaitingPickup");

        var plan = status.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("kind").GetString() == "plan6");
        Assert.Equal(files[0].Name, plan.GetProperty("name").GetString());
        Assert.True(plan.GetProperty("senderSigned").GetBoolean());
        var package = await provider.GetByteArrayAsync($"/v1/mailbox/{id}");
        var entries = SendUnitArchive.Read(PackageOpener.Open(package, mesh.OfficeCertificate(MeshFixture.Provider), mesh.Ca).Content);
        Assert.Equal(files[0].Content, entries.Single(e => e.Name == files[0].Name).Content);
        var signedOriginal = new SignedCms();
        signedOriginal.Decode(entries.Single(e => e.Name == files[0].Name + ".p7m").Content);
        signedOriginal.CheckSignature(verifySignatureOnly: true);
        Assert.Equal(MeshFixture.CareOffice, OfficeCertificates.GetOfficeNumber(signedOriginal.SignerInfos[0].Certificate!));
    }

    [Fact]
    public async Task A_file_changed_after_signing_fails_with_a_clear_reason()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var (id, _) = await Submit("20250617100000", plan =>
        {
            // 単位数 250 → 350 inside the signed content: still a valid file, so only the signature can tell.
            var signed = SignAs(MeshFixture.CareOffice, plan);
            signed[signed.AsSpan().IndexOf(",250,"u8) + 1] = (byte)'3';
            return signed;
        });

        var status = await mesh.WaitForState(careOffice, id, "Failed");

        Assert.Equal("sender-signature-invalid", status.GetProperty("failure").GetProperty("reason").GetString());
        Assert.Contains("changed after signing", status.GetProperty("failure").GetProperty("messageEn").GetString());
    }

    [Fact]
    public async Task A_file_signed_with_another_offices_certificate_fails()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var (id, _) = await Submit("20250617110000", plan => SignAs(MeshFixture.Provider, plan));

        var status = await mesh.WaitForState(careOffice, id, "Failed");

        Assert.Contains("not a registered, valid certificate of the sending office", status.GetProperty("failure").GetProperty("messageEn").GetString());
    }

    [Fact]
    public async Task An_unreadable_signed_file_is_refused_at_once()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250617120000");
        files[0] = (files[0].Name + ".p7m", RandomNumberGenerator.GetBytes(200));

        var response = await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(files));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("rule").GetString() == "signature.unreadable");
    }
}
