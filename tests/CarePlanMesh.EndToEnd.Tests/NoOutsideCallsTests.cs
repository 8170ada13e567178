using System.Net;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>A relay for care data contacts no host its operator did not configure.</summary>
[Collection(MeshCollection.Name)]
public sealed class NoOutsideCallsTests(MeshFixture mesh)
{
    [Fact]
    public async Task No_service_calls_a_host_outside_the_mesh_at_start_or_while_relaying()
    {
        // Every service has started (with outbound HTTP refused, see MeshFixture) and now relays a unit end to end.
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250619120000"), "AwaitingPickup");
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);

        Assert.Empty(mesh.Outbound.Attempts);
        // MassTransit's usage telemetry, off by configuration, would log its failed report here.
        foreach (var log in Directory.GetFiles(mesh.DemoDirectory, "*.log"))
        {
            using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            Assert.DoesNotContain("usage telemetry", await reader.ReadToEndAsync(), StringComparison.OrdinalIgnoreCase);
        }
    }
}
