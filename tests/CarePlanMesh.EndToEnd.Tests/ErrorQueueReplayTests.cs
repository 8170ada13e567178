using System.Net;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary><c>cpm ops errors</c>: a message that failed lands in its _error queue; once the cause is fixed, a replay completes its submission.</summary>
[Collection(MeshCollection.Name)]
public sealed class ErrorQueueReplayTests(MeshFixture mesh) : IDisposable
{
    const string SendUnit = "20250622090000";
    readonly string _work = Directory.CreateTempSubdirectory("cpm-ops-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_failed_saga_event_is_listed_shown_and_replayed_after_the_fix_and_every_action_is_audited()
    {
        // The fault: intake's database refuses this unit's move to AwaitingPickup, an error no retry cures.
        await mesh.Execute($"""
            CREATE FUNCTION intake.refuse_in_test() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
            CREATE TRIGGER refuse_in_test BEFORE UPDATE ON intake.submissions FOR EACH ROW
                WHEN (NEW.send_unit = '{SendUnit}' AND NEW.current_state = 'AwaitingPickup') EXECUTE FUNCTION intake.refuse_in_test();
            """);
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        Guid id;
        try
        {
            id = await mesh.Submit(careOffice, SampleFiles.PlanSendUnit(SendUnit));
            await mesh.Eventually(async () => (await Cpm("list", "submission-state")).Output.Contains("submission-state_error\t1"));
            var shown = await Cpm("show", "submission-state");
            shown.AssertExit(0);
            var failed = JsonDocument.Parse(shown.Output.Trim()).RootElement;
            Assert.Contains("urn:message:CarePlanMesh.Contracts:SubmissionRouted", failed.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal("Npgsql.PostgresException", failed.GetProperty("fault").GetProperty("ExceptionType").GetString());
            Assert.Equal("Routing", (await mesh.Status(careOffice, id)).GetProperty("state").GetString());
        }
        finally
        {
            await mesh.Execute("DROP TRIGGER refuse_in_test ON intake.submissions; DROP FUNCTION intake.refuse_in_test()");
        }

        var replayed = await Cpm("replay", "submission-state");
        replayed.AssertExit(0);
        Assert.Contains("replayed 1 into submission-state", replayed.Output);
        await mesh.WaitForState(careOffice, id, "AwaitingPickup");
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);
        await provider.PostAsync($"/v1/mailbox/{id}/ack", null);
        await mesh.WaitForState(careOffice, id, "Acknowledged");
        Assert.Contains("submission-state_error\t0", (await Cpm("list", "submission-state")).Output);
        Assert.Contains("purged 0", (await Cpm("purge", "submission-state")).Output);

        var audit = (await File.ReadAllLinesAsync(Path.Combine(_work, "audit.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var replay = Assert.Single(audit, a => a.GetProperty("action").GetString() == "replay");
        Assert.Equal(("submission-state_error", 1, "ops-test"), (replay.GetProperty("queue").GetString(), replay.GetProperty("count").GetInt32(), replay.GetProperty("operator").GetString()));
        Assert.Equal(FirstId(audit, "show"), replay.GetProperty("messageIds")[0].GetString());
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "purge");
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "list");

        static string? FirstId(List<JsonElement> audit, string action) =>
            audit.First(a => a.GetProperty("action").GetString() == action).GetProperty("messageIds")[0].GetString();
    }

    [Fact]
    public async Task An_unknown_queue_is_named_and_fails_the_command()
    {
        var listed = await Cpm("list", "no-such-queue");
        listed.AssertExit(1);
        Assert.Contains("no queue no-such-queue_error", listed.Error);
    }

    Task<CpmRun> Cpm(params string[] args) => CpmProcess.OpsErrors(mesh, _work, args);
}
