using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Issue #12 §3: the inbox over the API, paged like the other lists (docs/api.md, Paging), on the running mesh.</summary>
[Collection(MeshCollection.Name)]
public sealed class NotificationInboxTests(MeshFixture mesh)
{
    [Fact]
    public async Task The_unread_inbox_is_paged_by_following_next_which_keeps_the_unread_filter()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.InboxCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.InboxProvider);
        var units = new List<Guid>();
        foreach (var serial in new[] { "20250701090000", "20250701091000", "20250701092000", "20250701093000" })
            units.Add((await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit(serial, MeshFixture.InboxCareOffice, MeshFixture.InboxProvider), "AwaitingPickup")).Id);
        var notices = new Dictionary<Guid, Guid>();
        await mesh.Eventually(async () =>
        {
            var all = await provider.GetFromJsonAsync<JsonElement>("/v1/notifications?limit=200");
            foreach (var item in all.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("topic").GetString() == "delivery.available"))
                notices[item.GetProperty("data").GetProperty("submissionId").GetGuid()] = item.GetProperty("id").GetGuid();
            return units.All(notices.ContainsKey);
        });
        Assert.Equal(HttpStatusCode.OK, (await provider.PostAsync($"/v1/notifications/{notices[units[1]]}/read", null)).StatusCode);

        var pages = new List<JsonElement>();
        for (string? path = "/v1/notifications?unread=true&limit=2"; path is not null;)
        {
            var page = await provider.GetFromJsonAsync<JsonElement>(path);
            pages.Add(page);
            path = page.TryGetProperty("next", out var next) ? next.GetString() : null;
            if (path is not null)
            {
                Assert.StartsWith("/v1/notifications?", path);
                Assert.Contains("unread=true", path);
                Assert.Contains("limit=2", path);
                Assert.Contains("cursor=", path);
            }
        }

        Assert.True(pages.Count >= 2, "three unread notices of these units, two a page: at least two pages");
        Assert.All(pages, p => Assert.InRange(p.GetProperty("items").GetArrayLength(), 1, 2));
        var listed = pages.SelectMany(p => p.GetProperty("items").EnumerateArray()).ToList();
        Assert.All(listed, i => Assert.False(i.TryGetProperty("readAt", out _)));
        var ids = listed.Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(ids.Distinct(), ids);
        Assert.DoesNotContain(notices[units[1]], ids);
        // Newest first, across the pages.
        var unread = new[] { units[3], units[2], units[0] }.Select(u => ids.IndexOf(notices[u])).ToList();
        Assert.All(unread, i => Assert.True(i >= 0));
        Assert.Equal(unread.Order(), unread);
        var times = listed.Select(i => i.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }
}
