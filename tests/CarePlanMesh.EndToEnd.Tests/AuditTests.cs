using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The hash-chained audit trail: what it records, and that tampering is found and named.</summary>
[Collection(MeshCollection.Name)]
public sealed class AuditTests(MeshFixture mesh)
{
    [Fact]
    public async Task Submissions_downloads_acknowledgements_and_refusals_are_audited_without_content()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        using var anonymous = mesh.ClientFor(null);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250615090000"), "AwaitingPickup");
        await provider.GetAsync($"/v1/mailbox/{id}");
        await provider.PostAsync($"/v1/mailbox/{id}/ack", null);
        await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit("20250615100000", recipient: MeshFixture.OtherProvider)));
        await anonymous.GetAsync("/v1/mailbox");

        await mesh.Eventually(async () => await mesh.Count($"intake.audit_log WHERE action = 'submission' AND subject = '{id}' AND office = '{MeshFixture.CareOffice}' AND outcome = 'allowed' AND status = 202") == 1);
        await mesh.Eventually(async () => await mesh.Count($"intake.audit_log WHERE action = 'download' AND subject = '{id}' AND office = '{MeshFixture.Provider}'") == 1);
        await mesh.Eventually(async () => await mesh.Count($"intake.audit_log WHERE action = 'acknowledgement' AND subject = '{id}'") == 1);
        await mesh.Eventually(async () => await mesh.Count($"intake.audit_log WHERE action = 'submission' AND outcome = 'refused' AND status = 403 AND reason = 'not-partners'") >= 1);
        await mesh.Eventually(async () => await mesh.Count("intake.audit_log WHERE action = 'authentication' AND outcome = 'refused' AND status = 401 AND office IS NULL") >= 1);
        // Reads that succeed are not security events; nothing in the trail names a file or a person.
        Assert.Equal(0, await mesh.Count("intake.audit_log WHERE action LIKE 'GET%' AND status < 400"));
        Assert.Equal(0, await mesh.Count("intake.audit_log WHERE coalesce(subject, '') || coalesce(reason, '') LIKE '%.CSV%'"));
    }

    [Fact]
    public async Task The_chain_verifies_and_a_changed_entry_is_named_as_the_first_broken_link()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit("20250615110000", recipient: MeshFixture.OtherProvider)));
        using var ops = new HttpClient { BaseAddress = mesh.Management["intake"] };
        var verified = await ops.GetFromJsonAsync<JsonElement>("/audit/verify");
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
        Assert.True(verified.GetProperty("entries").GetInt64() >= 1);

        // The application cannot change a row...
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => mesh.Execute("UPDATE intake.audit_log SET status = 200 WHERE seq = 1"));
        // ...but a DBA who switches the guard off can, and verification names the row.
        var seq = await mesh.Count("intake.audit_log") / 2 + 1;
        await mesh.Execute($"ALTER TABLE intake.audit_log DISABLE TRIGGER audit_log_append_only; UPDATE intake.audit_log SET reason = coalesce(reason, '') || '-edited' WHERE seq = {seq}; ALTER TABLE intake.audit_log ENABLE TRIGGER audit_log_append_only");
        try
        {
            var broken = await ops.GetFromJsonAsync<JsonElement>("/audit/verify");
            Assert.False(broken.GetProperty("valid").GetBoolean());
            Assert.Equal(seq, broken.GetProperty("firstBrokenSeq").GetInt64());
        }
        finally
        {
            // Later tests append to a chain of their own: start it afresh.
            await mesh.Execute("ALTER TABLE intake.audit_log DISABLE TRIGGER audit_log_append_only; DELETE FROM intake.audit_log; ALTER TABLE intake.audit_log ENABLE TRIGGER audit_log_append_only");
        }
        Assert.Equal(HttpStatusCode.NotFound, (await careOffice.GetAsync("/audit/verify")).StatusCode);
    }
}
