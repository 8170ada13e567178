using System.Net;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The office event stream (issue #11 §4) across two intake replicas.</summary>
[Collection(MeshCollection.Name)]
public sealed class EventStreamTests(MeshFixture mesh)
{
    sealed record Event(long Id, string Type, JsonElement Data);

    /// <summary>An open stream: its events as they come, and comment lines (heartbeats) counted.</summary>
    sealed class Stream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {

        public static async Task<Stream> Open(HttpClient client, long? lastEventId = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events");
            if (lastEventId is { } id)
                request.Headers.Add("Last-Event-ID", id.ToString());
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            return new Stream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        /// <summary>Reads until an event matches, for at most a minute; returns every event read on the way.</summary>
        public async Task<List<Event>> Until(Func<Event, bool> match)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var seen = new List<Event>();
            var (id, type, data) = (0L, "", "");
            while (true)
            {
                var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The stream ended.");
                if (line.StartsWith("id: "))
                    id = long.Parse(line[4..]);
                else if (line.StartsWith("event: "))
                    type = line[7..];
                else if (line.StartsWith("data: "))
                    data = line[6..];
                else if (line.Length == 0 && data.Length > 0)
                {
                    var item = new Event(id, type, JsonDocument.Parse(data).RootElement.Clone());
                    seen.Add(item);
                    data = "";
                    if (match(item))
                        return seen;
                }
            }
        }

        /// <summary>Reads until a comment line (a heartbeat) comes, for at most 10 s; true if one came before any event.</summary>
        public async Task<bool> Heartbeat()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith(':'))
                    return true;
                if (line.StartsWith("data: "))
                    return false;
            }
            return false;
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    HttpClient OnSecondReplica(string office)
    {
        var client = mesh.ClientFor(office);
        client.BaseAddress = mesh.SecondIntakeAddress;
        return client;
    }

    static readonly string[] AllowedFields = ["id", "state", "href", "senderOffice", "recipientOffice", "requesterOffice", "partnerOffice", "topic", "submissionId"];

    [Fact]
    public async Task A_delivery_sent_through_one_replica_reaches_the_recipients_stream_on_the_other_and_the_sender_sees_its_states()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);
        using var provider = OnSecondReplica(MeshFixture.VendorProvider);
        using var providerStream = await Stream.Open(provider);
        using var senderStream = await Stream.Open(careOffice);

        var id = await mesh.Submit(careOffice, Vendor.Files("20250804090000"));

        var arrived = (await providerStream.Until(e => e.Type == "delivery.arrived" && e.Data.GetProperty("id").GetGuid() == id))[^1];
        Assert.Equal($"/v1/mailbox/{id}", arrived.Data.GetProperty("href").GetString());
        Assert.Equal(MeshFixture.VendorCareOffice, arrived.Data.GetProperty("senderOffice").GetString());
        var states = await senderStream.Until(e => e.Type == "submission.state-changed" && e.Data.GetProperty("id").GetGuid() == id
            && e.Data.GetProperty("state").GetString() == "AwaitingPickup");
        Assert.Equal(["Received", "Validating", "Sealing", "Routing", "AwaitingPickup"],
            states.Where(e => e.Type == "submission.state-changed" && e.Data.GetProperty("id").GetGuid() == id).Select(e => e.Data.GetProperty("state").GetString()));
        var ids = states.Select(e => e.Id).ToList();
        Assert.Equal(ids.Order(), ids);
        // Notifications from the notification service reach the stream too.
        await providerStream.Until(e => e.Type == "notification" && e.Data.GetProperty("submissionId").GetGuid() == id);
        Assert.All(states.Append(arrived), e => Assert.All(e.Data.EnumerateObject(), p => Assert.Contains(p.Name, AllowedFields)));
    }

    [Fact]
    public async Task A_client_that_reconnects_with_last_event_id_gets_what_it_missed_and_nothing_twice()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.VendorProvider);
        long lastSeen;
        using (var stream = await Stream.Open(provider))
        {
            var first = await mesh.Submit(careOffice, Vendor.Files("20250804100000"));
            lastSeen = (await stream.Until(e => e.Type == "delivery.arrived" && e.Data.GetProperty("id").GetGuid() == first))[^1].Id;
        }

        // Disconnected: a unit arrives meanwhile.
        var missed = await mesh.Submit(careOffice, Vendor.Files("20250804101000"));
        await mesh.WaitForState(careOffice, missed, "AwaitingPickup");

        using var provider2 = OnSecondReplica(MeshFixture.VendorProvider);
        using var resumed = await Stream.Open(provider2, lastSeen);
        var events = await resumed.Until(e => e.Type == "delivery.arrived" && e.Data.GetProperty("id").GetGuid() == missed);
        Assert.All(events, e => Assert.True(e.Id > lastSeen));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeats_and_a_partnership_request_reaches_both_offices()
    {
        using var requester = mesh.ClientFor(MeshFixture.VendorCareOffice);
        using var partner = OnSecondReplica(MeshFixture.OtherProvider);
        using var stream = await Stream.Open(partner);

        var requested = await requester.PostAsync("/v1/partnerships",
            new StringContent(JsonSerializer.Serialize(new { partnerOffice = MeshFixture.OtherProvider }), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var partnershipId = JsonDocument.Parse(await requested.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

        var changed = (await stream.Until(e => e.Type == "partnership.changed" && e.Data.GetProperty("id").GetGuid() == partnershipId))[^1];
        Assert.Equal($"/v1/partnerships/{partnershipId}", changed.Data.GetProperty("href").GetString());
        // Declined again so that the directory and partnership tests find 0300000007 nobody's partner.
        Assert.Equal(HttpStatusCode.OK, (await partner.PostAsync($"/v1/partnerships/{partnershipId}/decline", null)).StatusCode);
        await stream.Until(e => e.Type == "partnership.changed" && e.Data.GetProperty("id").GetGuid() == partnershipId && e.Data.GetProperty("state").GetString() != changed.Data.GetProperty("state").GetString());

        using var idle = await Stream.Open(partner);
        Assert.True(await idle.Heartbeat());
    }
}
