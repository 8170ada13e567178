using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The operator's monthly statement (issue #13 §5): licence and units per office, for admins only.</summary>
[Collection(MeshCollection.Name)]
public sealed class BillingStatementTests(MeshFixture mesh)
{
    [Fact]
    public async Task An_admin_reads_each_offices_licence_and_units_sent_and_received_as_csv()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250826090000").Select(f => (f.Name.Replace("_202506_", "_202509_"),
            Standard.Ms932.Encoding.GetBytes(Standard.Ms932.Encoding.GetString(f.Content).Replace("202506", "202509")))).ToArray();
        var response = await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(files));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await mesh.WaitForState(careOffice, id, "AwaitingPickup");

        using var admin = mesh.ClientFor(MeshFixture.Operator);
        string[] lines = [];
        await mesh.Eventually(async () =>
        {
            lines = (await admin.GetStringAsync("/v1/admin/billing?month=202509")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            return lines.Any(l => l.StartsWith(MeshFixture.CareOffice, StringComparison.Ordinal));
        });
        Assert.Equal("office_number,licence_status,licence_kind,valid_from,valid_to,fee_yen,units_sent,units_received", lines[0]);
        var sender = lines.Single(l => l.StartsWith(MeshFixture.CareOffice, StringComparison.Ordinal)).Split(',');
        var recipient = lines.Single(l => l.StartsWith(MeshFixture.Provider, StringComparison.Ordinal)).Split(',');
        // The care office's licence, seeded from offices.json when the mesh started, runs from today: none in 2025-09.
        Assert.Equal(("none", "1", "0"), (sender[1], sender[6], sender[7]));
        Assert.Equal(("0", "1"), (recipient[6], recipient[7]));

        Assert.Equal(HttpStatusCode.Forbidden, (await careOffice.GetAsync("/v1/admin/billing?month=202509")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/v1/admin/billing?month=2025-09")).StatusCode);
    }

    [Fact]
    public async Task A_licence_seeded_at_start_is_in_the_admin_csv_and_comes_back_after_billings_licences_are_lost()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var licence = Assert.Single((await careOffice.GetFromJsonAsync<JsonElement>("/v1/licence")).GetProperty("licences").EnumerateArray());
        var from = licence.GetProperty("validFrom").GetString()!;
        // The line routing's licence should have in the month it starts, as billing-reconciliation accounts it.
        var expected = $"{MeshFixture.CareOffice},active,{licence.GetProperty("kind").GetString()},{from},{licence.GetProperty("validTo").GetString()},{licence.GetProperty("feeYen").GetInt32()},";
        using var admin = mesh.ClientFor(MeshFixture.Operator);
        var month = from[..4] + from[5..7];
        async Task<bool> Accounted() =>
            (await admin.GetStringAsync($"/v1/admin/billing?month={month}")).Split("\r\n").Any(l => l.StartsWith(expected, StringComparison.Ordinal));

        // Routing seeded it (and published LicenceGranted) as the mesh started, whichever service came up first.
        await mesh.Eventually(Accounted);

        // As if billing-reconciliation's database were restored from a backup older than every licence: its next start
        // asks routing for them again.
        await mesh.Stop("billing-reconciliation");
        await mesh.Execute("DELETE FROM billing_reconciliation.licences");
        await mesh.Start("billing-reconciliation");
        await mesh.Eventually(async () => await Accounted() && await mesh.Count("billing_reconciliation.licences") == await mesh.Count("routing.licences"));
    }
}
