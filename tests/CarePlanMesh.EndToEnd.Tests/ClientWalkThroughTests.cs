using System.Net.Http.Headers;
using System.Text.Json;
using CarePlanMesh.EndToEnd.Tests.Client;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The README walk-through through the client NSwag generates from docs/openapi.json (see GeneratedClientTests).</summary>
[Collection(MeshCollection.Name)]
public sealed class ClientWalkThroughTests(MeshFixture mesh)
{
    /// <summary>A generated client on the office's certificate connection, signed in with the office's demo staff member.</summary>
    async Task<CarePlanMeshClient> SignIn(string office)
    {
        var http = mesh.ClientFor(office, signIn: false);
        var client = new CarePlanMeshClient(http);
        var (userId, password) = mesh.Credentials(office);
        var token = await client.V1AuthTokenAsync(new Credentials { UserId = userId, Password = password });
        Assert.Equal("Bearer", token.TokenType);
        Assert.True(token.ExpiresIn > 0);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(token.TokenType, token.AccessToken);
        return client;
    }

    static async Task<byte[]> Bytes(FileResponse file)
    {
        using (file)
        using (var buffer = new MemoryStream())
        {
            await file.Stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    [Fact]
    public async Task The_readme_walk_through_runs_through_the_generated_client()
    {
        var careOffice = await SignIn(MeshFixture.VendorCareOffice);
        var provider = await SignIn(MeshFixture.VendorProvider);
        var files = SampleFiles.PlanSendUnit("20250805090000", MeshFixture.VendorCareOffice, MeshFixture.VendorProvider);

        // 1. Send one send unit.
        var accepted = await careOffice.V1SubmissionsPostAsync(null, files.Select(f => new FileParameter(new MemoryStream(f.Content), f.Name, "text/csv")));
        Assert.Equal("Received", accepted.State);
        Assert.Equal(files.Select(f => f.Name), accepted.Files.Select(f => f.Name));

        // 2. Its status, and the office's sent units.
        var status = await careOffice.V1SubmissionsGetAsync(accepted.Id);
        Assert.Equal(MeshFixture.VendorProvider, status.RecipientOffice);
        await mesh.Eventually(async () => (status = await careOffice.V1SubmissionsGetAsync(accepted.Id)).State == "AwaitingPickup");
        Assert.Contains(status.Timeline, t => t.State == "Validating");
        var sent = await careOffice.V1SubmissionsGetAsync("AwaitingPickup", MeshFixture.VendorProvider, null, null, null, "50", null);
        Assert.Contains(sent.Items, item => item.Id == accepted.Id && item.Href == $"/v1/submissions/{accepted.Id}");

        // 3. The provider's mailbox and the sealed package, which the provider's key opens.
        var mailbox = await provider.V1MailboxGetAsync(null, MeshFixture.VendorCareOffice, null, "200", null);
        var item = Assert.Single(mailbox.Items, i => i.Id == accepted.Id);
        var package = await Bytes(await provider.V1MailboxGetAsync(accepted.Id));
        Assert.Equal(item.SealedBytes, package.Length);
        Assert.NotEmpty(await OpenSsl.Decrypt(package, Path.Combine(mesh.DemoDirectory, "offices", MeshFixture.VendorProvider)));

        // 4. The provider acknowledges; the sender's submission becomes Acknowledged.
        Assert.Equal("Acknowledging", (await provider.V1MailboxAckAsync(accepted.Id)).State);
        await mesh.Eventually(async () => (await careOffice.V1SubmissionsGetAsync(accepted.Id)).State == "Acknowledged");

        // 5. The receipts, the acknowledged one checked with openssl against the CA.
        var receipts = await careOffice.V1SubmissionsReceiptsGetAsync(accepted.Id);
        Assert.Equal(["received", "validated", "acknowledged"], receipts.Receipts.Select(r => r.Kind));
        var receipt = await Bytes(await careOffice.V1SubmissionsReceiptsGetAsync(accepted.Id, "acknowledged"));
        using var statement = JsonDocument.Parse(await OpenSsl.Verify(receipt, Path.Combine(mesh.DemoDirectory, "ca.pem")));
        Assert.Equal(accepted.Id, statement.RootElement.GetProperty("submissionId").GetGuid());
        var acknowledged = await provider.V1MailboxGetAsync("acknowledged", MeshFixture.VendorCareOffice, null, "200", null);
        Assert.Contains(acknowledged.Items, i => i.Id == accepted.Id);

        // A refusal is an ApiException carrying the problem document.
        var refused = await Assert.ThrowsAsync<ApiException<Problem>>(() => careOffice.V1SubmissionsGetAsync(Guid.NewGuid()));
        Assert.Equal(404, refused.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:not-found", refused.Result.Type);
    }
}
