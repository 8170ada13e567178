using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Rate limits per office (issue #11): MeshFixture gives RateLimitedOffice a bucket of 5 refilled at 1 per second.</summary>
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
}
