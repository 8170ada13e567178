using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Prometheus metrics on every management port: the mesh's own careplanmesh_* series after real submissions.</summary>
[Collection(MeshCollection.Name)]
public sealed partial class MetricsTests(MeshFixture mesh)
{
    [Fact]
    public async Task Every_service_serves_its_metrics_and_a_submission_shows_in_the_mesh_series()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250620090000");
        await mesh.SubmitAndWaitFor(careOffice, files, "AwaitingPickup");
        await mesh.SubmitAndWaitFor(careOffice, [files[0], files[2]], "Rejected");

        // Counters and histograms are cumulative; the gauges are sampled from the database every second here.
        await mesh.Eventually(async () =>
        {
            var intake = await Scrape("intake", "intake-2");
            return Value(intake, "careplanmesh_submissions_total", ("state", "AwaitingPickup")) >= 1
                && Value(intake, "careplanmesh_submissions_finished_total", ("outcome", "Rejected")) >= 1
                && Value(intake, "careplanmesh_deliveries_waiting") >= 1
                && Value(intake, "careplanmesh_submissions_active", ("state", "AwaitingPickup")) >= 1;
        });
        var metrics = await Scrape("intake", "intake-2");
        foreach (var step in new[] { "Received", "Validating", "Sealing", "Routing" })
            Assert.True(Value(metrics, "careplanmesh_submission_step_duration_seconds_count", ("step", step)) >= 1, step);
        Assert.True(Value(metrics, "careplanmesh_submission_mailbox_duration_seconds_count") >= 1);
        Assert.True(Value(metrics, "careplanmesh_deliveries_oldest_age_seconds") > 0);

        var validation = await Scrape("validation");
        Assert.True(Value(validation, "careplanmesh_validation_defects_total", ("rule", "send-unit.incomplete"), ("severity", "error")) >= 1);
        await mesh.Eventually(async () => Value(await Scrape("crypto"), "careplanmesh_certificates_next_expiry_seconds") > 0);
        await mesh.Eventually(async () => Value(await Scrape("routing", "routing-2"), "careplanmesh_licences_next_expiry_seconds") > 0);
        await mesh.Eventually(async () => Value(await Scrape("notification"), "careplanmesh_notifications_pending", ("channel", "webhook")) >= 0);

        foreach (var service in MeshFixture.ServiceNames)
        {
            var body = await Scrape(service);
            // MassTransit's own meter is there too; no series names an office.
            Assert.Contains("messaging_masstransit_", body);
            Assert.DoesNotContain(MeshFixture.CareOffice, body);
            Assert.DoesNotContain(MeshFixture.Provider, body);
        }
        // Operators' data stays off the public edge.
        Assert.Equal(HttpStatusCode.NotFound, (await careOffice.GetAsync("/metrics")).StatusCode);
    }

    /// <summary>The services' expositions one after the other: replicas' series add up in <see cref="Value"/>.</summary>
    async Task<string> Scrape(params string[] services) => string.Join("\n", await Task.WhenAll(services.Select(Scrape)));

    async Task<string> Scrape(string service)
    {
        using var http = new HttpClient { BaseAddress = mesh.Management[service] };
        using var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum over the series of <paramref name="name"/> whose labels include every one given; -1 when there is none.</summary>
    static double Value(string exposition, string name, params (string Label, string Value)[] labels)
    {
        var series = exposition.Split('\n')
            .Select(line => Sample().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == name)
            .Where(m => labels.All(l => m.Groups["labels"].Value.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))
            .ToList();
        return series.Count == 0 ? -1 : series.Sum();
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)( \d+)?$")]
    private static partial Regex Sample();
}
