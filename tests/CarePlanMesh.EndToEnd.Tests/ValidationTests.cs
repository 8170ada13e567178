using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CarePlanMesh.Standard;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The dry run POST /v1/validate and the validation step of a real submission, through the running mesh.</summary>
[Collection(MeshCollection.Name)]
public sealed class ValidationTests(MeshFixture mesh)
{
    [Fact]
    public async Task The_dry_run_accepts_a_valid_send_unit_and_stores_nothing()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var before = await mesh.StoredRows();

        var response = await careOffice.PostAsync("/v1/validate", SampleFiles.Form(SampleFiles.PlanSendUnit("20250602090000")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());
        Assert.Equal(0, result.GetProperty("errorCount").GetInt32());
        Assert.Equal(["plan6", "table7", "supplement"], result.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("kind").GetString()));
        Assert.Equal(before, await mesh.StoredRows());
    }

    [Fact]
    public async Task The_dry_run_lists_every_defect_with_line_field_rule_and_a_masked_value()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250602100000");
        var lines = SampleFiles.Text(SampleFiles.Plan).Split("\r\n");
        var first = lines[0].Split(',');
        first[2] = "12345X7890"; // 被保険者番号: personal data, must come back masked
        first[9] = "20250732";   // サービス利用日: not a real date
        lines[0] = string.Join(',', first);
        files[0] = (files[0].Name, Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));

        var response = await careOffice.PostAsync("/v1/validate", SampleFiles.Form(files));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(result.GetProperty("valid").GetBoolean());
        var defects = result.GetProperty("defects").EnumerateArray().Where(d => d.GetProperty("severity").GetString() == "error").ToList();
        var insured = Assert.Single(defects, d => d.GetProperty("rule").GetString() == "insured-number.format");
        Assert.Equal((1, 3, "被保険者番号"), (insured.GetProperty("line").GetInt32(), insured.GetProperty("column").GetInt32(), insured.GetProperty("field").GetString()));
        Assert.Equal("99999X9999", insured.GetProperty("value").GetString());
        var date = Assert.Single(defects, d => d.GetProperty("rule").GetString() == "field.date");
        Assert.Equal((1, 10, "20250732"), (date.GetProperty("line").GetInt32(), date.GetProperty("column").GetInt32(), date.GetProperty("value").GetString()));
        Assert.All(defects, d =>
        {
            Assert.False(string.IsNullOrEmpty(d.GetProperty("messageJa").GetString()));
            Assert.False(string.IsNullOrEmpty(d.GetProperty("messageEn").GetString()));
        });
        Assert.DoesNotContain("12345X7890", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Too_many_files_are_refused_with_413_naming_the_limits()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = Enumerable.Range(0, 21).Select(i => ($"UPPLAN_202506_0300000100_43_0300000005_11_202506021100{i:00}.CSV", new byte[] { 0x31 })).ToArray();

        var response = await careOffice.PostAsync("/v1/validate", SampleFiles.Form(files));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(20, problem.GetProperty("maxFiles").GetInt32());
        Assert.True(problem.GetProperty("maxFileBytes").GetInt64() > 0);
        Assert.Contains("20", problem.GetProperty("detailJa").GetString());
    }

    [Fact]
    public async Task An_incomplete_send_unit_is_rejected_and_its_defects_are_on_the_status()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250602120000");

        var (_, status) = await mesh.SubmitAndWaitFor(careOffice, [files[0], files[2]], "Rejected");

        var incomplete = Assert.Single(status.GetProperty("defects").EnumerateArray(), d => d.GetProperty("rule").GetString() == "send-unit.incomplete");
        Assert.Contains("UPSIKYU", incomplete.GetProperty("messageEn").GetString());
        Assert.True(status.GetProperty("errorCount").GetInt32() >= 1);
    }

    [Fact]
    public async Task A_table7_without_its_grand_total_is_rejected()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250602130000");
        var lines = SampleFiles.Text(SampleFiles.Table7).Split("\r\n").Where(l => !l.Contains("9999999999")).ToArray();
        files[1] = (files[1].Name, Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));

        var (_, status) = await mesh.SubmitAndWaitFor(careOffice, files, "Rejected");

        Assert.Contains(status.GetProperty("defects").EnumerateArray(), d => d.GetProperty("rule").GetString() == "table7.total-count");
    }
}
