using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StandardWebhooks;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Issue #12 §1: one dead endpoint never delays another office's notifications, however many messages wait for it.</summary>
[Collection(MeshCollection.Name)]
public sealed class WebhookBacklogTests(MeshFixture mesh)
{
    const int Backlog = 160;

    [Fact]
    public async Task A_dead_endpoint_with_a_backlog_of_160_due_messages_does_not_delay_another_offices_webhook()
    {
        await using var dead = await WebhookReceiver.Start();
        await using var healthy = await WebhookReceiver.Start();
        dead.Answer = _ => Task.FromResult(503);
        using var careOffice = mesh.ClientFor(MeshFixture.InboxCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.InboxProvider);
        var deadId = (await Register(careOffice, dead)).Id;
        var (healthyId, healthySecret) = await Register(provider, healthy);

        var queued = new List<string>();
        for (var i = 0; i < Backlog; i++)
        {
            var test = await careOffice.PostAsync($"/v1/webhooks/{deadId}/test", null);
            // 160 calls in a row outrun the office's rate limit (its share on this replica): wait as a client should.
            while (test.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(test.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                test = await careOffice.PostAsync($"/v1/webhooks/{deadId}/test", null);
            }
            Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
            queued.Add((await test.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString()!);
        }
        // The whole backlog due at once, as when an endpoint's office comes back from a long outage of its own.
        await mesh.Execute($"UPDATE notification.webhook_deliveries SET next_attempt_at = now(), abandoned_at = NULL, attempts = 0 WHERE webhook_id = '{deadId}'");
        Assert.Equal(Backlog, await mesh.Count($"notification.webhook_deliveries WHERE webhook_id = '{deadId}' AND delivered_at IS NULL AND next_attempt_at <= now()"));

        var started = DateTime.UtcNow;
        var sent = await provider.PostAsync($"/v1/webhooks/{healthyId}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var messageId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString();
        await mesh.Eventually(() => Task.FromResult(healthy.Requests.Any(r => r.Id == messageId)));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "the healthy endpoint waited behind the dead one's backlog");
        var received = healthy.Requests.Single(r => r.Id == messageId);
        new StandardWebhook(healthySecret).Verify(received.Body, received.Headers);
        // The dead endpoint was tried, each time with one of its own messages, and none of them was lost or marked delivered.
        Assert.NotEmpty(dead.Requests);
        Assert.All(dead.Requests, r => Assert.Contains(r.Id, queued));
        Assert.Equal(Backlog, await mesh.Count($"notification.webhook_deliveries WHERE webhook_id = '{deadId}' AND delivered_at IS NULL"));

        await careOffice.DeleteAsync($"/v1/webhooks/{deadId}");
        await provider.DeleteAsync($"/v1/webhooks/{healthyId}");
    }

    static async Task<(Guid Id, string Secret)> Register(HttpClient office, WebhookReceiver receiver)
    {
        var response = await office.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, topics = new[] { "delivery.available" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }
}
