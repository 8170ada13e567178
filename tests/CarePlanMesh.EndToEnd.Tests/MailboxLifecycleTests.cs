using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Withdrawal, pickup, 連番 order, duplicates and retention (issue #5 §3–§4) through the running mesh.</summary>
[Collection(MeshCollection.Name)]
public sealed class MailboxLifecycleTests(MeshFixture mesh)
{
    [Fact]
    public async Task The_sender_withdraws_a_delivery_before_pickup_and_the_recipient_can_no_longer_see_or_fetch_it()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250610090000"), "AwaitingPickup");

        var withdrawn = await careOffice.PostAsync($"/v1/submissions/{id}/withdraw", null);

        Assert.True(withdrawn.StatusCode == HttpStatusCode.OK, await withdrawn.Content.ReadAsStringAsync());
        Assert.Equal("Withdrawn", (await withdrawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var status = await mesh.Status(careOffice, id);
        Assert.Equal("Withdrawn", status.GetProperty("state").GetString());
        Assert.DoesNotContain((await provider.GetFromJsonAsync<JsonElement>("/v1/mailbox")).GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == id);
        Assert.Equal(HttpStatusCode.Gone, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);
        await mesh.Eventually(async () => await mesh.Count($"notification.notifications WHERE submission_id = '{id}' AND office_number = '{MeshFixture.Provider}' AND topic = 'delivery-withdrawn'") == 1);
    }

    [Fact]
    public async Task A_delivery_the_recipient_has_picked_up_can_no_longer_be_withdrawn()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250610100000"), "AwaitingPickup");
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);

        var refused = await careOffice.PostAsync($"/v1/submissions/{id}/withdraw", null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:already-picked-up", problem.GetProperty("type").GetString());
        Assert.True(problem.TryGetProperty("pickedUpAt", out var pickedUpAt) && pickedUpAt.ValueKind == JsonValueKind.String);
        Assert.Equal(HttpStatusCode.NotFound, (await provider.PostAsync($"/v1/submissions/{id}/withdraw", null)).StatusCode);
    }

    [Fact]
    public async Task A_withdrawal_racing_a_pickup_has_exactly_one_winner()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        for (var round = 0; round < 4; round++)
        {
            var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit($"2025061011000{round}"), "AwaitingPickup");

            var download = provider.GetAsync($"/v1/mailbox/{id}");
            var withdraw = careOffice.PostAsync($"/v1/submissions/{id}/withdraw", null);
            var (downloaded, withdrawn) = ((await download).StatusCode, (await withdraw).StatusCode);

            var state = (await mesh.Status(careOffice, id)).GetProperty("state").GetString();
            if (downloaded == HttpStatusCode.OK)
                Assert.Equal((HttpStatusCode.Conflict, "AwaitingPickup"), (withdrawn, state));
            else
                Assert.Equal((HttpStatusCode.Gone, HttpStatusCode.OK, "Withdrawn"), (downloaded, withdrawn, state));
        }
    }

    [Fact]
    public async Task The_mailbox_lists_a_senders_units_in_renban_order_marks_what_waits_and_flags_a_late_lower_renban_to_both_offices()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.OrderedCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.OrderedProvider);

        // Two units sent at once (several routing replicas would race the same way); then one with a lower 連番.
        var second = mesh.Submit(careOffice, SampleFiles.PlanSendUnit("20250612110000", MeshFixture.OrderedCareOffice, MeshFixture.OrderedProvider));
        var first = mesh.Submit(careOffice, SampleFiles.PlanSendUnit("20250612100000", MeshFixture.OrderedCareOffice, MeshFixture.OrderedProvider));
        var (firstId, secondId) = (await first, await second);
        await mesh.WaitForState(careOffice, firstId, "AwaitingPickup");
        await mesh.WaitForState(careOffice, secondId, "AwaitingPickup");

        var items = await Mailbox(provider);
        Assert.Equal([firstId, secondId], items.Select(i => i.GetProperty("id").GetGuid()));
        Assert.False(items[0].TryGetProperty("waitingFor", out _));
        Assert.Equal("20250612100000", items[1].GetProperty("waitingFor").GetProperty("sendUnit").GetString());
        Assert.Equal(firstId, items[1].GetProperty("waitingFor").GetProperty("id").GetGuid());

        var (late, status) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250612090000", MeshFixture.OrderedCareOffice, MeshFixture.OrderedProvider), "AwaitingPickup");
        Assert.Equal("20250612110000", status.GetProperty("outOfOrder").GetProperty("latestSendUnit").GetString());
        items = await Mailbox(provider);
        Assert.Equal([late, firstId, secondId], items.Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal(late, items[1].GetProperty("waitingFor").GetProperty("id").GetGuid());
        foreach (var office in new[] { MeshFixture.OrderedCareOffice, MeshFixture.OrderedProvider })
            await mesh.Eventually(async () => await mesh.Count($"notification.notifications WHERE submission_id = '{late}' AND office_number = '{office}' AND topic = 'out-of-order'") == 1);

        // Once the earlier units are acknowledged, nothing waits.
        foreach (var id in new[] { late, firstId })
        {
            await provider.GetAsync($"/v1/mailbox/{id}");
            await provider.PostAsync($"/v1/mailbox/{id}/ack", null);
            await mesh.WaitForState(careOffice, id, "Acknowledged");
        }
        var remaining = Assert.Single(await Mailbox(provider));
        Assert.False(remaining.TryGetProperty("waitingFor", out _));
    }

    [Fact]
    public async Task A_delivery_not_picked_up_by_its_deadline_expires_and_the_sender_is_told()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250610120000"), "AwaitingPickup");

        // Time travel: the pickup deadline (14 days) passed a second ago; the sweeper in intake finds it in the database.
        await mesh.MoveDeadline(id, "now() - interval '1 second'");

        var expired = await mesh.WaitForState(careOffice, id, "Expired");
        Assert.Equal("Expired", expired.GetProperty("timeline").EnumerateArray().Last().GetProperty("state").GetString());
        await mesh.Eventually(async () => await mesh.Count($"notification.notifications WHERE submission_id = '{id}' AND office_number = '{MeshFixture.CareOffice}' AND topic = 'submission-expired'") == 1);
        Assert.Equal(HttpStatusCode.Gone, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);
    }

    [Fact]
    public async Task The_same_files_sent_again_are_refused_with_the_original_unless_the_sender_resends_on_purpose()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var (original, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250613090000"), "AwaitingPickup");
        var before = await mesh.StoredRows();

        var again = await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit("20250613090000")));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/v1/submissions/{original}", problem.GetProperty("original").GetString());
        Assert.Contains("resend=true", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await mesh.StoredRows());
        var resent = await careOffice.PostAsync("/v1/submissions?resend=true", SampleFiles.Form(SampleFiles.PlanSendUnit("20250613090000")));
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
    }

    [Fact]
    public async Task Retention_purges_sealed_packages_after_the_period_keeps_metadata_for_the_audit_period_and_has_a_dry_run()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250614090000"), "AwaitingPickup");
        await provider.GetAsync($"/v1/mailbox/{id}");
        await provider.PostAsync($"/v1/mailbox/{id}/ack", null);
        var acknowledged = await mesh.WaitForState(careOffice, id, "Acknowledged");
        var sealedSha = acknowledged.GetProperty("sealedSha256").GetString();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var ops = new HttpClient { BaseAddress = mesh.Management["intake"] };

        var dryRun = await (await ops.PostAsync("/retention/purge", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(dryRun.GetProperty("dryRun").GetBoolean());
        Assert.Contains(dryRun.GetProperty("packagesPurged").EnumerateArray(), p => p.GetGuid() == id);
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);

        var purged = await (await ops.PostAsync("/retention/purge?dryRun=false", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(purged.GetProperty("packagesPurged").EnumerateArray(), p => p.GetGuid() == id);
        var gone = await provider.GetAsync($"/v1/mailbox/{id}");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:purged", (await gone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        var metadata = await mesh.Status(careOffice, id);
        Assert.Equal(sealedSha, metadata.GetProperty("sealedSha256").GetString());

        // Past the (test's) audit period the metadata goes too. The public edge never offers the purge.
        await Task.Delay(TimeSpan.FromSeconds(4));
        await ops.PostAsync("/retention/purge?dryRun=false", null);
        Assert.Equal(HttpStatusCode.NotFound, (await careOffice.GetAsync($"/v1/submissions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await careOffice.PostAsync("/retention/purge?dryRun=false", null)).StatusCode);
    }

    static async Task<List<JsonElement>> Mailbox(HttpClient provider) =>
        [.. (await provider.GetFromJsonAsync<JsonElement>("/v1/mailbox")).GetProperty("items").EnumerateArray()];
}
