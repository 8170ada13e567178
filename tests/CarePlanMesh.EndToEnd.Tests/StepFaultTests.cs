namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>A step whose consumer fails in a way no retry cures ends its submission at once, not after its deadlines.</summary>
[Collection(MeshCollection.Name)]
public sealed class StepFaultTests(MeshFixture mesh)
{
    [Fact]
    public async Task A_payload_validation_cannot_read_fails_its_submission_within_seconds_and_tells_the_sender()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        Guid id;
        await mesh.Stop("validation");
        try
        {
            id = await mesh.Submit(careOffice, SampleFiles.PlanSendUnit("20250619130000"));
            // Tamper with the stored payload so that its authenticated decryption fails: the same every time, so no retry helps.
            await mesh.Execute($"""
                UPDATE messagedata.payloads SET content = content || '\x00'::bytea
                WHERE id = (SELECT substring(payload_address FROM 'payload:([0-9a-f-]+)')::uuid FROM intake.submissions WHERE correlation_id = '{id}')
                """);
        }
        finally
        {
            await mesh.Start("validation");
        }

        // The step timeout is two minutes; the fault ends it long before.
        var started = DateTime.UtcNow;
        var failed = await mesh.WaitForState(careOffice, id, "Failed");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), $"Failed only after {DateTime.UtcNow - started}");
        Assert.Equal("validation-fault", failed.GetProperty("failure").GetProperty("reason").GetString());
        await mesh.Eventually(async () => await mesh.Count(
            $"notification.notifications WHERE submission_id = '{id}' AND office_number = '{MeshFixture.CareOffice}' AND topic = 'submission-failed'") == 1);
    }
}
