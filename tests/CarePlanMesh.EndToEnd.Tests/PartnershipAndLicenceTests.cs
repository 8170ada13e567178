using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CarePlanMesh.Contracts;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The directory, partnerships (連携先) and licences through the public API, enforced on every submission.</summary>
[Collection(MeshCollection.Name)]
public sealed class PartnershipAndLicenceTests(MeshFixture mesh)
{
    [Fact]
    public async Task The_directory_is_searched_by_number_name_fragment_prefecture_and_service_type()
    {
        using var client = mesh.ClientFor(MeshFixture.CareOffice);

        Assert.Equal([MeshFixture.Provider], await Directory(client, "?q=0300000005"));
        var kinds = (await client.GetFromJsonAsync<JsonElement>("/v1/directory?q=03000001")).GetProperty("offices").EnumerateArray().Single();
        Assert.Equal("care-management", kinds.GetProperty("kind").GetString());
        Assert.Equal([MeshFixture.OtherProvider], await Directory(client, "?q=福祉用具"));
        Assert.Equal([MeshFixture.NewCareOffice, MeshFixture.NewProvider, MeshFixture.OrderedCareOffice, MeshFixture.OrderedProvider], await Directory(client, "?prefecture=13"));
        Assert.Equal([MeshFixture.Provider, MeshFixture.NewProvider, MeshFixture.OrderedProvider], await Directory(client, "?serviceType=11"));
        Assert.Equal([MeshFixture.NewProvider, MeshFixture.OrderedProvider], await Directory(client, "?prefecture=13&serviceType=11"));
        Assert.Equal([MeshFixture.OrderedCareOffice, MeshFixture.OrderedProvider], await Directory(client, "?q=順序テスト"));
    }

    [Fact]
    public async Task A_send_unit_to_an_office_that_is_not_a_partner_is_refused_and_nothing_is_stored()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var before = await mesh.StoredRows();

        var response = await careOffice.PostAsync("/v1/submissions",
            SampleFiles.Form(SampleFiles.PlanSendUnit("20250603090000", recipient: MeshFixture.OtherProvider)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:not-partners", problem.GetProperty("type").GetString());
        Assert.Contains(MeshFixture.OtherProvider, problem.GetProperty("detailJa").GetString());
        Assert.Equal(before, await mesh.StoredRows());
    }

    [Fact]
    public async Task A_partnership_is_requested_approved_suspended_resumed_and_ended_and_files_travel_only_while_active_and_licensed()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.NewCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.NewProvider);

        // Neither office has a licence yet: both apply for the free pass (one year from today).
        foreach (var office in new[] { careOffice, provider })
        {
            var licence = await office.GetFromJsonAsync<JsonElement>("/v1/licence");
            Assert.False(licence.GetProperty("valid").GetBoolean());
            Assert.Equal(21000, licence.GetProperty("annualFeeYen").GetInt32());
        }
        var granted = await careOffice.PostAsync("/v1/licence/free-pass", null);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var pass = await granted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(pass.GetProperty("valid").GetBoolean());
        var validUntil = DateOnly.Parse(pass.GetProperty("validUntil").GetString()!);
        Assert.Equal(Japan.Today.AddYears(1).AddDays(-1), validUntil);
        var again = await careOffice.PostAsync("/v1/licence/free-pass", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:free-pass-used", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        // The care office asks; only the provider may approve.
        var requested = await careOffice.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = MeshFixture.NewProvider });
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var partnership = await requested.Content.ReadFromJsonAsync<JsonElement>();
        var id = partnership.GetProperty("id").GetGuid();
        Assert.Equal("pending", partnership.GetProperty("state").GetString());
        Assert.Equal($"/v1/partnerships/{id}", requested.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Conflict, (await careOffice.PostAsync($"/v1/partnerships/{id}/approve", null)).StatusCode);
        var duplicate = await provider.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = MeshFixture.NewCareOffice });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal($"/v1/partnerships/{id}", (await duplicate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("partnership").GetString());
        var seen = await provider.GetFromJsonAsync<JsonElement>("/v1/partnerships");
        var mine = Assert.Single(seen.GetProperty("partnerships").EnumerateArray(), p => p.GetProperty("id").GetGuid() == id);
        Assert.Equal(["approve", "decline", "end"], mine.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("active", await Act(provider, id, "approve"));

        // Active, but the provider has no licence: refused naming the provider.
        var refused = await Submit(careOffice, "20250603100000");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:licence-invalid", problem.GetProperty("type").GetString());
        Assert.Contains(MeshFixture.NewProvider, problem.GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.OK, (await provider.PostAsync("/v1/licence/free-pass", null)).StatusCode);
        await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250603110000", MeshFixture.NewCareOffice, MeshFixture.NewProvider), "AwaitingPickup");

        // Suspended by the provider: nothing travels; only the provider can resume.
        Assert.Equal("suspended", await Act(provider, id, "suspend"));
        var whileSuspended = await Submit(careOffice, "20250603120000");
        Assert.Equal(HttpStatusCode.Forbidden, whileSuspended.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:partnership-inactive", (await whileSuspended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await careOffice.PostAsync($"/v1/partnerships/{id}/approve", null)).StatusCode);
        Assert.Equal("active", await Act(provider, id, "approve"));
        Assert.Equal("ended", await Act(careOffice, id, "end"));
        Assert.Equal(HttpStatusCode.Forbidden, (await Submit(careOffice, "20250603130000")).StatusCode);

        // Billing accounts both free passes from the published events.
        using var ops = new HttpClient();
        await mesh.Eventually(async () =>
        {
            var accounted = await ops.GetFromJsonAsync<JsonElement>(new Uri(mesh.Management["billing-reconciliation"], $"/licences/{MeshFixture.NewProvider}"));
            return accounted.GetProperty("licences").EnumerateArray().Any(l => l.GetProperty("kind").GetString() == "free-pass");
        });
    }

    [Fact]
    public async Task An_expired_licence_blocks_routing_with_the_office_and_the_day_it_ended()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var yesterday = Japan.Today.AddDays(-1);
        // Time travel: the provider's licence ended yesterday.
        await mesh.Execute($"UPDATE routing.licences SET valid_from = valid_from - 400, valid_to = DATE '{yesterday:yyyy-MM-dd}' WHERE office_number = '{MeshFixture.Provider}'");
        try
        {
            var licence = await provider.GetFromJsonAsync<JsonElement>("/v1/licence");
            Assert.False(licence.GetProperty("valid").GetBoolean());

            var refused = await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit("20250604090000")));

            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("urn:careplanmesh:problem:licence-invalid", problem.GetProperty("type").GetString());
            Assert.Contains($"{MeshFixture.Provider}", problem.GetProperty("detailJa").GetString());
            Assert.Contains($"{yesterday:yyyy-MM-dd}", problem.GetProperty("detail").GetString());
        }
        finally
        {
            await mesh.Execute($"UPDATE routing.licences SET valid_from = valid_from + 400, valid_to = valid_from + 400 + 364 WHERE office_number = '{MeshFixture.Provider}'");
        }
        Assert.True((await provider.GetFromJsonAsync<JsonElement>("/v1/licence")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task An_office_cannot_partner_with_itself_nor_act_on_a_partnership_it_is_not_part_of()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var stranger = mesh.ClientFor(MeshFixture.OtherProvider);

        var self = await careOffice.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = MeshFixture.CareOffice });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, self.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:same-office", (await self.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        var existing = (await careOffice.GetFromJsonAsync<JsonElement>("/v1/partnerships")).GetProperty("partnerships").EnumerateArray()
            .Single(p => p.GetProperty("state").GetString() == "active" && p.GetProperty("partnerOffice").GetString() == MeshFixture.Provider);
        var response = await stranger.PostAsync($"/v1/partnerships/{existing.GetProperty("id").GetGuid()}/end", null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await careOffice.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = "123" })).StatusCode);
    }

    [Fact]
    public async Task An_invitation_to_an_unregistered_office_becomes_a_pending_partnership_when_it_registers()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        const string invited = "0300000299";

        var notRegistered = await careOffice.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = invited });
        Assert.Equal(HttpStatusCode.NotFound, notRegistered.StatusCode);
        var response = await careOffice.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = invited, inviteEmail = "office@example.jp" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var invitation = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invited", invitation.GetProperty("state").GetString());
        var id = invitation.GetProperty("id").GetGuid();
        await mesh.Eventually(async () => await mesh.Count($"notification.invitations WHERE partnership_id = '{id}' AND email = 'office@example.jp'") == 1);

        // An operator registers the office (the admin API of the security issue sends the same command).
        await mesh.Send(Queues.Directory, new RegisterOffice { OfficeNumber = invited, Name = "招待された事業所", ServiceTypes = ["13"] });

        await mesh.Eventually(async () =>
        {
            var list = await careOffice.GetFromJsonAsync<JsonElement>("/v1/partnerships");
            return list.GetProperty("partnerships").EnumerateArray().Any(p => p.GetProperty("id").GetGuid() == id && p.GetProperty("state").GetString() == "pending");
        });
    }

    static async Task<string[]> Directory(HttpClient client, string query)
    {
        var listed = await client.GetFromJsonAsync<JsonElement>($"/v1/directory{query}");
        return [.. listed.GetProperty("offices").EnumerateArray().Select(o => o.GetProperty("officeNumber").GetString()!)];
    }

    static async Task<string?> Act(HttpClient client, Guid id, string action)
    {
        var response = await client.PostAsync($"/v1/partnerships/{id}/{action}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString();
    }

    static Task<HttpResponseMessage> Submit(HttpClient careOffice, string serial) =>
        careOffice.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit(serial, MeshFixture.NewCareOffice, MeshFixture.NewProvider)));
}
