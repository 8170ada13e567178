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

        // 0. The dry run reads every file and stores nothing; the licence lets the office send.
        var dryRun = await careOffice.V1ValidateAsync(files.Select(f => new FileParameter(new MemoryStream(f.Content), f.Name, "text/csv")));
        Assert.True(dryRun.Valid);
        Assert.Equal(0, dryRun.ErrorCount);
        Assert.Equal(files.Select(f => f.Name).Order(), dryRun.Files.Select(f => f.Name).Order());
        Assert.All(dryRun.Files, file => Assert.True(file.Valid && file.Records > 0));
        Assert.Contains(dryRun.Files, file => file.Kind == "plan6");
        var licence = await careOffice.V1LicenceAsync();
        Assert.Equal(MeshFixture.VendorCareOffice, licence.Office);
        Assert.True(licence.Valid);
        Assert.Contains(licence.Licences, l => l.ValidTo == licence.ValidUntil && l.Kind is "annual" or "free-pass");
        Assert.Equal(21000, licence.AnnualFeeYen);
        Assert.True(licence.FreePassApplicationsFrom < licence.FreePassApplicationsUntil);

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

        // The provider's inbox tells of the delivery; reading the notification marks it read.
        NotificationItem? arrived = null;
        await mesh.Eventually(async () => (arrived = (await provider.V1NotificationsAsync("true", "50", null)).Items.FirstOrDefault(n => n.Topic == "delivery.available"
            && ((JsonElement)n.Data).TryGetProperty("submissionId", out var submission) && submission.GetString() == accepted.Id.ToString())) is not null);
        Assert.Null(arrived!.ReadAt);
        var read = await provider.V1NotificationsReadAsync(arrived.Id);
        Assert.Equal((arrived.Id, "delivery.available"), (read.Id, read.Topic));
        Assert.NotNull(read.ReadAt);
        Assert.DoesNotContain((await provider.V1NotificationsAsync("true", "50", null)).Items, n => n.Id == arrived.Id);

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

        // The operator's billing statement is a CSV download.
        var billing = await new CarePlanMeshClient(mesh.ClientFor(MeshFixture.Operator)).V1AdminBillingAsync("202506");
        Assert.Equal(200, billing.StatusCode);
        Assert.StartsWith("text/csv", Assert.Single(billing.Headers["Content-Type"]));
        Assert.StartsWith("office_number,licence_status,licence_kind,valid_from,valid_to,fee_yen,units_sent,units_received\r\n",
            System.Text.Encoding.UTF8.GetString(await Bytes(billing)));

        // A refusal is an ApiException carrying the problem document.
        var refused = await Assert.ThrowsAsync<ApiException<Problem>>(() => careOffice.V1SubmissionsGetAsync(Guid.NewGuid()));
        Assert.Equal(404, refused.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:not-found", refused.Result.Type);
    }
}
