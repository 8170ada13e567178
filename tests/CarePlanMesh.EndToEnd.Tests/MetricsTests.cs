using System.Net;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Prometheus metrics on every management port: the mesh's own careplanmesh_* series after real submissions.</summary>
[Collection(MeshCollection.Name)]
public sealed class MetricsTests(MeshFixture mesh)
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
            var intake = await Metrics.Scrape(mesh, "intake", "intake-2");
            return Metrics.Value(intake, "careplanmesh_submissions_total", ("state", "AwaitingPickup")) >= 1
                && Metrics.Value(intake, "careplanmesh_submissions_finished_total", ("outcome", "Rejected")) >= 1
                && Metrics.Value(intake, "careplanmesh_deliveries_waiting") >= 1
                && Metrics.Value(intake, "careplanmesh_submissions_active", ("state", "AwaitingPickup")) >= 1;
        });
        var metrics = await Metrics.Scrape(mesh, "intake", "intake-2");
        foreach (var step in new[] { "Received", "Validating", "Sealing", "Routing" })
            Assert.True(Metrics.Value(metrics, "careplanmesh_submission_step_duration_seconds_count", ("step", step)) >= 1, step);
        Assert.True(Metrics.Value(metrics, "careplanmesh_submission_mailbox_duration_seconds_count") >= 1);
        Assert.True(Metrics.Value(metrics, "careplanmesh_deliveries_oldest_age_seconds") > 0);

        var validation = await Metrics.Scrape(mesh, "validation");
        Assert.True(Metrics.Value(validation, "careplanmesh_validation_defects_total", ("rule", "send-unit.incomplete"), ("severity", "error")) >= 1);
        await mesh.Eventually(async () => Metrics.Value(await Metrics.Scrape(mesh, "crypto"), "careplanmesh_certificates_next_expiry_seconds") > 0);
        await mesh.Eventually(async () => Metrics.Value(await Metrics.Scrape(mesh, "routing", "routing-2"), "careplanmesh_licences_next_expiry_seconds") > 0);
        await mesh.Eventually(async () => Metrics.Value(await Metrics.Scrape(mesh, "notification"), "careplanmesh_notifications_pending", ("channel", "webhook")) >= 0);

        foreach (var service in MeshFixture.ServiceNames)
        {
            var body = await Metrics.Scrape(mesh, service);
            // MassTransit's own meter is there too; no series names an office.
            Assert.Contains("messaging_masstransit_", body);
            Assert.DoesNotContain(MeshFixture.CareOffice, body);
            Assert.DoesNotContain(MeshFixture.Provider, body);
        }
        // Operators' data stays off the public edge.
        Assert.Equal(HttpStatusCode.NotFound, (await careOffice.GetAsync("/metrics")).StatusCode);
    }
}
