using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// Rate limits per office (issue #11): MeshFixture gives RateLimitedOffice a limit of 5 at once, refilled at 1 per second,
/// which its two intake replicas share (each holds 3, refilled at 1 per second).
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class RateLimitTests(MeshFixture mesh)
{
    static async Task<string> Heartbeat(StreamReader stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await stream.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith(':'))
                return line;
        throw new EndOfStreamException("The event stream ended.");
    }

    [Fact]
    public async Task A_burst_over_the_office_limit_is_answered_429_with_retry_after_while_other_offices_and_the_open_event_stream_go_on()
    {
        using var listener = mesh.ClientFor(MeshFixture.RateLimitedOffice);
        using var events = await listener.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        using var stream = new StreamReader(await events.Content.ReadAsStreamAsync());
        await Heartbeat(stream);
        using var limited = mesh.ClientFor(MeshFixture.RateLimitedOffice);
        using var other = mesh.ClientFor(MeshFixture.VendorCareOffice);
        // Both sign in first (each sign-in is a request too), then burst.
        Assert.Equal(HttpStatusCode.OK, (await limited.GetAsync("/v1/submissions?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/v1/submissions?limit=1")).StatusCode);

        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => limited.GetAsync("/v1/submissions?limit=1")));
        var othersBurst = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => other.GetAsync("/v1/submissions?limit=1")));

        Assert.Contains(burst, r => r.StatusCode == HttpStatusCode.OK);
        var refused = Assert.Single(burst.Where(r => r.StatusCode != HttpStatusCode.OK).DistinctBy(r => r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var retryAfter = refused.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("A 429 without Retry-After (seconds).");
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:rate-limited", problem.GetProperty("type").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("titleJa").GetString()));
        Assert.Contains($"{retryAfter.TotalSeconds}", problem.GetProperty("detailJa").GetString());
        // The other office's burst of the same size passes whole, and the limited office's open stream goes on.
        Assert.All(othersBurst, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(": heartbeat", await Heartbeat(stream));

        await Task.Delay(retryAfter);
        Assert.Equal(HttpStatusCode.OK, (await limited.GetAsync("/v1/submissions?limit=1")).StatusCode);
    }

    [Fact]
    public async Task The_two_intake_replicas_share_the_office_limit_instead_of_each_granting_all_of_it()
    {
        using var first = mesh.ClientFor(MeshFixture.RateLimitedOffice);
        using var second = mesh.ClientFor(MeshFixture.RateLimitedOffice);
        second.BaseAddress = mesh.SecondIntakeAddress;
        var refill = TimeSpan.FromSeconds(6);
        // Both sign in (a sign-in is a request too) with full buckets.
        await Task.Delay(refill);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/v1/submissions?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/v1/submissions?limit=1")).StatusCode);

        // Alone, each replica would pass 5 of a burst of 10; sharing, each passes its 3 (4 if a refill falls within the burst).
        // Each attempt starts with full buckets; replicas count each other within a heartbeat of starting. A burst that
        // takes more than a second on a busy machine gets a refill more: the attempt is repeated, for up to 90 s, and the
        // connections are opened by a burst before it, so that the measured burst spends no time on TLS handshakes.
        var passed = await Poll.Until(async () =>
        {
            await Task.WhenAll(Burst(first), Burst(second));
            await Task.Delay(refill);
            var clock = Stopwatch.StartNew();
            var bursts = await Task.WhenAll(Burst(first), Burst(second));
            Assert.All(bursts.SelectMany(burst => burst), status => Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
            return (First: bursts[0].Count(s => s == HttpStatusCode.OK), Second: bursts[1].Count(s => s == HttpStatusCode.OK), Took: clock.Elapsed);
        }, p => p.First <= 4 && p.Second <= 4, TimeSpan.FromSeconds(90),
            last => $"The last attempt passed {last.First} and {last.Second} of 10 each in {last.Took.TotalMilliseconds:0} ms.\n{mesh.Logs()}");

        Assert.InRange(passed.First, 3, 4);
        Assert.InRange(passed.Second, 3, 4);
    }

    static async Task<HttpStatusCode[]> Burst(HttpClient client) =>
        await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var response = await client.GetAsync("/v1/submissions?limit=1");
            return response.StatusCode;
        }));
}
