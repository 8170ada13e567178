using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The office's lists with keyset paging (issue #11 §1–§2) through the running mesh.</summary>
[Collection(MeshCollection.Name)]
public sealed class VendorListTests(MeshFixture mesh)
{
    [Fact]
    public async Task The_sender_lists_its_submissions_newest_first_in_pages_filtered_by_state_and_recipient()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.VendorProvider);
        var since = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O"));
        var ids = new List<Guid>();
        foreach (var serial in new[] { "20250801090000", "20250801091000", "20250801092000" })
            ids.Add(await mesh.Submit(careOffice, Vendor.Files(serial)));

        var first = await careOffice.GetFromJsonAsync<JsonElement>($"/v1/submissions?since={since}&recipientOffice={MeshFixture.VendorProvider}&limit=2");
        var next = first.GetProperty("next").GetString()!;
        Assert.StartsWith("/v1/submissions?", next);
        var second = await careOffice.GetFromJsonAsync<JsonElement>(next);
        Assert.False(second.TryGetProperty("next", out _));
        var listed = Vendor.Items(first).Concat(Vendor.Items(second)).ToList();
        Assert.Equal([ids[2], ids[1], ids[0]], listed.Select(i => i.GetProperty("id").GetGuid()));

        var newest = listed[0];
        Assert.Equal(MeshFixture.VendorProvider, newest.GetProperty("recipientOffice").GetString());
        Assert.Equal("20250801092000", newest.GetProperty("sendUnit").GetString());
        Assert.Equal("202506", newest.GetProperty("serviceMonth").GetString());
        Assert.Equal(["plan6", "supplement", "table7"], newest.GetProperty("fileKinds").EnumerateArray().Select(k => k.GetString()).Order());
        Assert.True(newest.GetProperty("lastTransitionAt").GetDateTimeOffset() >= newest.GetProperty("receivedAt").GetDateTimeOffset());
        Assert.Equal($"/v1/submissions/{ids[2]}", newest.GetProperty("href").GetString());
        Assert.Contains(newest.GetProperty("receipts").EnumerateArray(), r => r.GetProperty("kind").GetString() == "received"
            && r.GetProperty("href").GetString() == $"/v1/submissions/{ids[2]}/receipts/received");

        // A state filter: once all three wait for pickup, none is Received any more.
        foreach (var id in ids)
            await mesh.WaitForState(careOffice, id, "AwaitingPickup");
        var awaiting = await careOffice.GetFromJsonAsync<JsonElement>($"/v1/submissions?since={since}&state=AwaitingPickup");
        Assert.Equal([ids[2], ids[1], ids[0]], Vendor.Items(awaiting).Select(i => i.GetProperty("id").GetGuid()));
        Assert.Empty(Vendor.Items(await careOffice.GetFromJsonAsync<JsonElement>($"/v1/submissions?since={since}&state=Received")));

        // The recipient sends nothing: its list of sent units does not show the sender's.
        var recipients = await provider.GetFromJsonAsync<JsonElement>($"/v1/submissions?since={since}");
        Assert.Empty(Vendor.Items(recipients));
        // Nothing received before the window.
        var until = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"));
        Assert.Empty(Vendor.Items(await careOffice.GetFromJsonAsync<JsonElement>($"/v1/submissions?since={since}&until={until}")));
    }

    [Theory]
    [InlineData("/v1/submissions?limit=201", "limit")]
    [InlineData("/v1/submissions?limit=0", "limit")]
    [InlineData("/v1/submissions?state=Lost", "state")]
    [InlineData("/v1/submissions?serviceMonth=2025-06", "serviceMonth")]
    [InlineData("/v1/submissions?since=yesterday", "since")]
    [InlineData("/v1/submissions?cursor=not-a-cursor", "cursor")]
    [InlineData("/v1/mailbox?state=deleted", "state")]
    [InlineData("/v1/mailbox?limit=1000", "limit")]
    [InlineData("/v1/mailbox?cursor=eyJ4Ijoi", "cursor")]
    [InlineData("/v1/notifications?limit=0", "limit")]
    [InlineData("/v1/notifications?limit=201", "limit")]
    [InlineData("/v1/notifications?limit=ten", "limit")]
    [InlineData("/v1/notifications?cursor=bad", "cursor")]
    [InlineData("/v1/notifications?unread=true&cursor=eyJ4Ijoi", "cursor")]
    [InlineData("/v1/notifications?unread=yes", "unread")]
    [InlineData("/v1/notifications?after=MTc0", "after")]
    public async Task A_list_query_it_cannot_read_is_a_problem_naming_the_parameter(string path, string parameter)
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);

        var response = await careOffice.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith(":invalid-query", problem.GetProperty("type").GetString());
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detailJa").GetString()));
    }

    [Fact]
    public async Task The_mailbox_pages_awaiting_units_in_renban_order_and_keeps_acknowledged_ones_listed_as_history()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.VendorProvider);
        var ids = new List<Guid>();
        foreach (var serial in new[] { "20250802090000", "20250802091000", "20250802092000" })
            ids.Add(await mesh.Submit(careOffice, Vendor.Files(serial)));
        foreach (var id in ids)
            await mesh.WaitForState(careOffice, id, "AwaitingPickup");

        var (pages, awaiting) = await Vendor.AllPages(provider, $"/v1/mailbox?senderOffice={MeshFixture.VendorCareOffice}&limit=2");
        Assert.True(pages >= 2);
        Assert.Equal(awaiting.Count, awaiting.Select(i => i.GetProperty("id").GetGuid()).Distinct().Count());
        var mine = awaiting.Where(i => ids.Contains(i.GetProperty("id").GetGuid())).ToList();
        Assert.Equal(ids, mine.Select(i => i.GetProperty("id").GetGuid()));
        Assert.All(mine, i => Assert.Equal("AwaitingPickup", i.GetProperty("state").GetString()));
        Assert.Equal(ids[0], mine[1].GetProperty("waitingFor").GetProperty("id").GetGuid());

        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{ids[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await provider.PostAsync($"/v1/mailbox/{ids[0]}/ack", null)).StatusCode);
        await mesh.WaitForState(careOffice, ids[0], "Acknowledged");

        var (_, stillAwaiting) = await Vendor.AllPages(provider, $"/v1/mailbox?senderOffice={MeshFixture.VendorCareOffice}&limit=2");
        Assert.DoesNotContain(stillAwaiting, i => i.GetProperty("id").GetGuid() == ids[0]);
        var (_, acknowledged) = await Vendor.AllPages(provider, "/v1/mailbox?state=acknowledged&limit=1");
        var history = Assert.Single(acknowledged, i => i.GetProperty("id").GetGuid() == ids[0]);
        Assert.Equal("Acknowledged", history.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.String, history.GetProperty("acknowledgedAt").ValueKind);
        Assert.All(acknowledged, i => Assert.Equal("Acknowledged", i.GetProperty("state").GetString()));
        var (_, all) = await Vendor.AllPages(provider, "/v1/mailbox?state=all&serviceMonth=202506&limit=2");
        Assert.Equal([ids[2], ids[1], ids[0]], all.Select(i => i.GetProperty("id").GetGuid()).Where(ids.Contains));

        // The sender does not see the recipient's mailbox.
        Assert.DoesNotContain(Vendor.Items(await careOffice.GetFromJsonAsync<JsonElement>("/v1/mailbox?state=all")), i => ids.Contains(i.GetProperty("id").GetGuid()));
    }
}

/// <summary>Calls the vendor API tests share.</summary>
static class Vendor
{
    /// <summary>A send unit from the vendor test offices' care office to their provider.</summary>
    public static (string Name, byte[] Content)[] Files(string serial) =>
        SampleFiles.PlanSendUnit(serial, MeshFixture.VendorCareOffice, MeshFixture.VendorProvider);

    public static List<JsonElement> Items(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];

    /// <summary>Follows <c>next</c> from the first page to the last: how many pages, and every item in order.</summary>
    public static async Task<(int Pages, List<JsonElement> Items)> AllPages(HttpClient client, string path)
    {
        var items = new List<JsonElement>();
        var pages = 0;
        for (string? next = path; next is not null; pages++)
        {
            var page = await client.GetFromJsonAsync<JsonElement>(next);
            items.AddRange(Items(page));
            next = page.TryGetProperty("next", out var link) ? link.GetString() : null;
        }
        return (pages, items);
    }
}
