using System.Net;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>A relay for care data contacts no host its operator did not configure.</summary>
[Collection(MeshCollection.Name)]
public sealed class NoOutsideCallsTests(MeshFixture mesh)
{
    [Fact]
    public async Task No_service_nor_the_front_door_calls_a_host_outside_the_mesh_at_start_or_while_relaying()
    {
        // Every service has started with outbound HTTP sent to the trap (see MeshFixture); the front door starts so too, and a
        // unit is relayed end to end through it.
        await using var frontDoor = await FrontDoorProcess.Start(mesh, mesh.Outbound.ProxyEnvironment);
        using var careOffice = frontDoor.ClientFor(MeshFixture.CareOffice);
        using var provider = frontDoor.ClientFor(MeshFixture.Provider);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250619120000"), "AwaitingPickup");
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);

        // The positive control below calls out on purpose; nothing else may have.
        Assert.DoesNotContain(mesh.Outbound.Attempts, attempt => !attempt.Contains(OutboundTrap.ControlHost, StringComparison.Ordinal));
        // MassTransit's usage telemetry, off by configuration, would log its failed report here.
        foreach (var log in Directory.GetFiles(mesh.DemoDirectory, "*.log"))
        {
            using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            Assert.DoesNotContain("usage telemetry", await reader.ReadToEndAsync(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain("usage telemetry", frontDoor.Log(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_trap_catches_a_program_of_the_mesh_that_calls_out_with_the_services_proxy_settings()
    {
        // Positive control: cpm, a .NET program of the solution, run with the services' proxy environment and told that the
        // relay is an outside host, lands in the trap, which refuses it.
        var (exitCode, _, _) = await CpmProcess.Run(mesh.DemoDirectory, mesh.Outbound.ProxyEnvironment, "mailbox", "--url", $"https://{OutboundTrap.ControlHost}",
            "--office", Path.Combine(mesh.DemoDirectory, "offices", MeshFixture.CareOffice), "--ca", Path.Combine(mesh.DemoDirectory, "ca.pem"));

        Assert.NotEqual(0, exitCode);
        await Poll.Until(() => Task.FromResult(mesh.Outbound.Attempts.Any(a => a.Contains(OutboundTrap.ControlHost, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10), () => $"the trap saw no attempt to {OutboundTrap.ControlHost}: {string.Join("; ", mesh.Outbound.Attempts)}");
    }
}
