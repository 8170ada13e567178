using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Signed receipts: proof for an inspector that a plan was sent, checked and received.</summary>
[Collection(MeshCollection.Name)]
public sealed class ReceiptTests(MeshFixture mesh)
{
    [Fact]
    public async Task The_sender_gets_received_validated_and_acknowledged_receipts_that_openssl_verifies_and_the_recipient_its_acknowledgement()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250616090000"), "AwaitingPickup");
        Assert.Equal(HttpStatusCode.Conflict, (await careOffice.GetAsync($"/v1/submissions/{id}/receipts/acknowledged")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await provider.GetAsync($"/v1/mailbox/{id}/receipt")).StatusCode);
        await provider.GetAsync($"/v1/mailbox/{id}");
        await provider.PostAsync($"/v1/mailbox/{id}/ack", null);
        var status = await mesh.WaitForState(careOffice, id, "Acknowledged");

        var listed = await careOffice.GetFromJsonAsync<JsonElement>($"/v1/submissions/{id}/receipts");
        Assert.Equal(["received", "validated", "acknowledged"], listed.GetProperty("receipts").EnumerateArray().Select(r => r.GetProperty("kind").GetString()!));
        foreach (var kind in new[] { "received", "validated", "acknowledged" })
        {
            var cms = await careOffice.GetByteArrayAsync($"/v1/submissions/{id}/receipts/{kind}");
            Assert.Equal(cms, await careOffice.GetByteArrayAsync($"/v1/submissions/{id}/receipts/{kind}"));
            var statement = JsonDocument.Parse(await Verify(cms)).RootElement;
            Assert.Equal(kind, statement.GetProperty("receipt").GetString());
            Assert.Equal(id, statement.GetProperty("submissionId").GetGuid());
            Assert.Equal(
                status.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("sha256").GetString()),
                statement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("sha256").GetString()));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await provider.GetAsync($"/v1/submissions/{id}/receipts/received")).StatusCode);

        // The recipient keeps the same signed statement of its acknowledgement; nobody else gets it from the mailbox.
        Assert.Equal(await careOffice.GetByteArrayAsync($"/v1/submissions/{id}/receipts/acknowledged"), await provider.GetByteArrayAsync($"/v1/mailbox/{id}/receipt"));
        Assert.Equal(HttpStatusCode.NotFound, (await careOffice.GetAsync($"/v1/mailbox/{id}/receipt")).StatusCode);
    }

    [Fact]
    public async Task A_tampered_receipt_does_not_verify()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var id = await mesh.Submit(careOffice, SampleFiles.PlanSendUnit("20250616100000"));
        var cms = await careOffice.GetByteArrayAsync($"/v1/submissions/{id}/receipts/received");
        // Change one digit of a digest inside the signed statement.
        var at = cms.AsSpan().IndexOf("\"sha256\": \""u8) + 11;
        cms[at] = (byte)(cms[at] == (byte)'0' ? '1' : '0');

        var signed = new SignedCms();
        signed.Decode(cms);
        Assert.ThrowsAny<CryptographicException>(() => signed.CheckSignature(verifySignatureOnly: true));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Verify(cms));
    }

    /// <summary>`openssl cms -verify` against the development CA; returns the signed statement.</summary>
    async Task<string> Verify(byte[] cms) =>
        System.Text.Encoding.UTF8.GetString(await OpenSsl.Verify(cms, Path.Combine(mesh.DemoDirectory, "ca.pem")));
}
