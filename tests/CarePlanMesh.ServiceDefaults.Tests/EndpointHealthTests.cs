using System.Net;
using System.Text.Json;
using CarePlanMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>Health tells the truth about receive endpoints, on real RabbitMQ.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EndpointHealthTests(DatabaseFixture database) : IAsyncLifetime
{
    WebApplication _app = null!;
    HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = await TestService.Start(database, "endpoint-health", builder =>
        {
            // Long enough that the watchdog does not act within the test: this test is about what health says.
            builder.Configuration["Health:EndpointGrace"] = "00:05:00";
            builder.Configuration["Health:WatchdogInterval"] = "00:00:01";
        }, _ => { });
        _http = _app.Client();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Ready_fails_naming_a_receive_endpoint_that_stopped_consuming_while_live_waits_out_the_grace()
    {
        var bus = _app.Services.GetRequiredService<IBus>();
        var handle = ((IReceiveConnector)bus).ConnectReceiveEndpoint("probe-endpoint", endpoint => endpoint.Handler<ProbeMessage>(_ => Task.CompletedTask));
        await handle.Ready;
        await Poll.Until(async () => (await _http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), () => "never ready");

        await handle.StopAsync();

        var (_, endpoints) = await Poll.Until(Ready, r => r.Status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20),
            r => $"still {r.Status} after the endpoint stopped");
        Assert.Contains("probe-endpoint", endpoints);
        // Not yet past the grace: alive, so nothing restarts the process for a moment's outage.
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
    }

    async Task<(HttpStatusCode Status, string Endpoints)> Ready()
    {
        using var response = await _http.GetAsync("/health/ready");
        var bus = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "bus");
        return (response.StatusCode, bus.TryGetProperty("endpoints", out var endpoints) ? endpoints.GetRawText() : "");
    }

    public sealed record ProbeMessage;
}
