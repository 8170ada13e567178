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
        // Licences seeded from offices.json are not announced to billing-reconciliation (docs/reconciliation.md): "none" here.
        Assert.Equal(("none", "1", "0"), (sender[1], sender[6], sender[7]));
        Assert.Equal(("0", "1"), (recipient[6], recipient[7]));

        Assert.Equal(HttpStatusCode.Forbidden, (await careOffice.GetAsync("/v1/admin/billing?month=202509")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/v1/admin/billing?month=2025-09")).StatusCode);
    }
}
