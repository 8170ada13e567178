using System.Text.Json;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The `cpm` client, run as a process the way a care office or a script runs it, against the running mesh.</summary>
[Collection(MeshCollection.Name)]
public sealed class CommandLineClientTests(MeshFixture mesh) : IDisposable
{
    readonly string _work = Directory.CreateTempSubdirectory("careplanmesh-cpm-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_send_unit_goes_from_cpm_samples_through_submit_download_open_and_ack()
    {
        var samples = Path.Combine(_work, "samples");
        var written = await Cpm(null, "samples", "--out", samples);
        written.AssertExit(0);
        // This test's own send unit: the sample unit under another 連番.
        var files = Directory.GetFiles(samples, "UP*_0300000100_43_0300000005_11_20250525103000.CSV")
            .Select(path => { var renamed = path.Replace("20250525103000", "20250525140000"); File.Move(path, renamed); return renamed; })
            .Order().ToArray();
        Assert.Equal(3, files.Length);
        Assert.Equal(SampleFiles.Ms932Bytes(SampleFiles.Plan), await File.ReadAllBytesAsync(files.Single(f => Path.GetFileName(f).StartsWith("UPPLAN_"))));

        var submitted = await Cpm(MeshFixture.CareOffice, ["submit", .. files]);
        submitted.AssertExit(0);
        var id = Json(submitted.Output).GetProperty("id").GetString()!;

        await WaitForState(id, "AwaitingPickup");
        var mailbox = await Cpm(MeshFixture.Provider, "mailbox");
        Assert.Contains(Json(mailbox.Output).GetProperty("items").EnumerateArray(), item => item.GetProperty("id").GetString() == id);

        var package = Path.Combine(_work, "package.p7m");
        (await Cpm(MeshFixture.Provider, "download", id, "--out", package)).AssertExit(0);
        var zip = Path.Combine(_work, "files.zip");
        var opened = await Cpm(MeshFixture.Provider, "open", package, "--out", zip);
        opened.AssertExit(0);
        Assert.Contains("verified", opened.Output);
        var entries = SendUnitArchive.Read(await File.ReadAllBytesAsync(zip));
        foreach (var file in files)
            Assert.Equal(await File.ReadAllBytesAsync(file), entries.Single(e => e.Name == Path.GetFileName(file)).Content);

        (await Cpm(MeshFixture.Provider, "ack", id)).AssertExit(0);
        await WaitForState(id, "Acknowledged");
    }

    [Fact]
    public async Task A_refusal_exits_with_1_and_prints_the_problem_in_both_languages()
    {
        var samples = Path.Combine(_work, "samples");
        await Cpm(null, "samples", "--out", samples);
        var actual = Directory.GetFiles(samples, "UPJSK_*.CSV").Single();

        var refused = await Cpm(MeshFixture.CareOffice, "submit", actual);

        refused.AssertExit(1);
        Assert.Contains("403", refused.Error);
        Assert.Contains("\"titleJa\"", refused.Error);
        Assert.Contains("0300000005", refused.Error);
    }

    [Fact]
    public async Task Opening_a_package_with_another_offices_key_fails_cleanly()
    {
        var samples = Path.Combine(_work, "samples");
        await Cpm(null, "samples", "--out", samples);
        var files = Directory.GetFiles(samples, "UP*_0300000100_43_0300000005_11_20250525103000.CSV")
            .Select(path => { var renamed = path.Replace("20250525103000", "20250525150000"); File.Move(path, renamed); return renamed; })
            .ToArray();
        var id = Json((await Cpm(MeshFixture.CareOffice, ["submit", .. files])).Output).GetProperty("id").GetString()!;
        await WaitForState(id, "AwaitingPickup");
        var package = Path.Combine(_work, "package.p7m");
        await Cpm(MeshFixture.Provider, "download", id, "--out", package);

        var opened = await Cpm(MeshFixture.OtherProvider, "open", package, "--out", Path.Combine(_work, "files.zip"));

        opened.AssertExit(1);
        Assert.StartsWith("cpm open:", opened.Error);
        Assert.False(File.Exists(Path.Combine(_work, "files.zip")));
    }

    [Fact]
    public async Task The_offline_validator_exits_0_for_the_samples_and_1_with_the_defects_for_a_broken_file()
    {
        var samples = Path.Combine(_work, "samples");
        await Cpm(null, "samples", "--out", samples);

        var valid = await Cpm(null, "validate", samples);
        valid.AssertExit(0);
        Assert.Contains("0 errors", valid.Output);

        var plan = Directory.GetFiles(samples, "UPPLAN_*.CSV").Single();
        var text = Ms932.Encoding.GetString(await File.ReadAllBytesAsync(plan));
        await File.WriteAllBytesAsync(plan, Ms932.Encoding.GetBytes(text.Replace(",20250602,", ",20250702,")));
        var invalid = await Cpm(null, "validate", plan, "--json");
        invalid.AssertExit(1);
        var report = Json(invalid.Output);
        Assert.False(report.GetProperty("valid").GetBoolean());
        var defect = Assert.Single(report.GetProperty("defects").EnumerateArray(), d => d.GetProperty("rule").GetString() == "record.service-date-month");
        Assert.Equal(10, defect.GetProperty("column").GetInt32());
        // The plan alone is not a whole send unit either.
        Assert.Contains(report.GetProperty("defects").EnumerateArray(), d => d.GetProperty("rule").GetString() == "send-unit.incomplete");
    }

    [Fact]
    public async Task Partners_directory_licence_and_withdrawal_work_from_the_command_line()
    {
        var directory = await Cpm(MeshFixture.CareOffice, "directory", "--prefecture", "03", "--type", "17");
        directory.AssertExit(0);
        Assert.Equal([MeshFixture.OtherProvider], Json(directory.Output).GetProperty("offices").EnumerateArray().Select(o => o.GetProperty("officeNumber").GetString()!));

        var partners = await Cpm(MeshFixture.CareOffice, "partners");
        Assert.Contains(Json(partners.Output).GetProperty("partnerships").EnumerateArray(),
            p => p.GetProperty("partnerOffice").GetString() == MeshFixture.Provider && p.GetProperty("state").GetString() == "active");
        Assert.True(Json((await Cpm(MeshFixture.CareOffice, "licence")).Output).GetProperty("valid").GetBoolean());
        var self = await Cpm(MeshFixture.CareOffice, "partner-request", MeshFixture.CareOffice);
        self.AssertExit(1);
        Assert.Contains("same-office", self.Error);
        (await Cpm(MeshFixture.CareOffice, "partner", "not-an-id", "approve")).AssertExit(2);

        var samples = Path.Combine(_work, "samples");
        await Cpm(null, "samples", "--out", samples);
        var files = Directory.GetFiles(samples, "UP*_0300000100_43_0300000005_11_20250525103000.CSV")
            .Select(path => { var renamed = path.Replace("20250525103000", "20250525160000"); File.Move(path, renamed); return renamed; })
            .ToArray();
        var id = Json((await Cpm(MeshFixture.CareOffice, ["submit", .. files])).Output).GetProperty("id").GetString()!;
        await WaitForState(id, "AwaitingPickup");
        var withdrawn = await Cpm(MeshFixture.CareOffice, "withdraw", id);
        withdrawn.AssertExit(0);
        Assert.Equal("Withdrawn", Json(withdrawn.Output).GetProperty("state").GetString());
        var duplicate = await Cpm(MeshFixture.CareOffice, ["submit", .. files]);
        duplicate.AssertExit(0); // a withdrawn submission is no duplicate
        Assert.Contains("duplicate", (await Cpm(MeshFixture.CareOffice, ["submit", .. files])).Error);
        (await Cpm(MeshFixture.CareOffice, ["submit", "--resend", .. files])).AssertExit(0);
    }

    [Fact]
    public async Task Registry_commands_work_for_the_operator_only()
    {
        var refused = await Cpm(MeshFixture.CareOffice, "admin-office", "1500000401", "--name", "CLI登録事業所", "--types", "11,13");
        refused.AssertExit(1);
        Assert.Contains("admin-only", refused.Error);

        var registered = await Cpm(MeshFixture.Operator, "admin-office", "1500000401", "--name", "CLI登録事業所", "--types", "11,13");
        registered.AssertExit(0);
        (await Cpm(MeshFixture.Operator, "admin-licence", "1500000401")).AssertExit(0);
        (await Cpm(MeshFixture.Operator, "admin-staff", "1500000401")).AssertExit(2);
    }

    [Fact]
    public async Task Help_lists_every_command_and_an_unknown_command_gets_a_suggestion_and_exit_code_2()
    {
        var help = await Cpm(null, "--help");
        help.AssertExit(0);
        foreach (var command in new[] { "dev-pki", "samples", "validate", "submit", "withdraw", "status", "mailbox", "download", "open", "ack", "directory",
                     "partners", "partner-request", "partner", "licence", "free-pass", "admin-office", "admin-staff", "admin-certificate", "admin-revoke",
                     "admin-licence", "audit-verify", "probe", "ops", "agent" })
            Assert.Matches($"(?m)^  {command}( |$)", help.Output);

        var typo = await Cpm(MeshFixture.CareOffice, "sbumit", "x.CSV");
        typo.AssertExit(2);
        Assert.Contains("Did you mean", typo.Output + typo.Error);
        Assert.Matches("(?m)^submit$", typo.Output + typo.Error);

        var usage = await Cpm(MeshFixture.CareOffice, "status", "not-an-id", "--json");
        usage.AssertExit(2);
        var problem = Json(usage.Output);
        Assert.Equal("urn:careplanmesh:cpm:usage", problem.GetProperty("type").GetString());
        Assert.Contains("not-an-id", problem.GetProperty("detail").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("titleJa").GetString()));
        Assert.Equal("", usage.Error);
    }

    [Fact]
    public async Task Dev_pki_adds_the_partnered_load_pairs_it_is_asked_for_and_refuses_a_count_out_of_bounds()
    {
        var demo = Path.Combine(_work, "demo-with-load-pairs");
        var made = await Cpm(null, "dev-pki", "--out", demo, "--load-pairs", "2", "--json");
        made.AssertExit(0);
        var offices = Json(made.Output).GetProperty("offices").EnumerateArray().Select(o => o.GetProperty("officeNumber").GetString()).ToList();
        Assert.Equal([.. DevelopmentPki.DefaultOffices.Select(o => o.OfficeNumber), "0391000001", "0392000001", "0391000002", "0392000002"], offices);
        var directory = OfficeDirectoryFile.Read(Path.Combine(demo, "offices.json")).ToDictionary(o => o.OfficeNumber);
        Assert.Equal(["0392000002"], directory["0391000002"].Partners);
        Assert.True(directory["0391000002"].Licensed && directory["0392000002"].Licensed);

        var refused = await Cpm(null, "dev-pki", "--out", Path.Combine(_work, "too-many"), "--load-pairs", "501");
        refused.AssertExit(2);
        Assert.Contains("--load-pairs", refused.Output + refused.Error);
        Assert.False(Directory.Exists(Path.Combine(_work, "too-many")));
    }

    [Fact]
    public async Task Json_output_of_samples_submit_wait_status_download_and_a_refusal_parses_with_the_expected_fields()
    {
        var samples = Path.Combine(_work, "samples");
        var written = Json((await Cpm(null, "samples", "--out", samples, "--json")).Output);
        Assert.Equal(Path.GetFullPath(samples), written.GetProperty("directory").GetString());
        Assert.Contains(written.GetProperty("files").EnumerateArray(), f => f.GetString()!.StartsWith("UPPLAN_"));
        var files = Directory.GetFiles(samples, "UP*_0300000100_43_0300000005_11_20250525103000.CSV")
            .Select(path => { var renamed = path.Replace("20250525103000", "20250525170000"); File.Move(path, renamed); return renamed; })
            .ToArray();

        // --wait: the status once validation, sealing and routing are over, in one JSON document.
        var submitted = await Cpm(MeshFixture.CareOffice, ["submit", "--wait", "--json", .. files]);
        submitted.AssertExit(0);
        var submission = Json(submitted.Output);
        Assert.Equal("AwaitingPickup", submission.GetProperty("state").GetString());
        var id = submission.GetProperty("id").GetString()!;
        Assert.Equal(id, Json((await Cpm(MeshFixture.CareOffice, "status", id, "--json")).Output).GetProperty("id").GetString());

        var package = Path.Combine(_work, "package.p7m");
        var downloaded = await Cpm(MeshFixture.Provider, "download", id, "--out", package, "--json");
        downloaded.AssertExit(0);
        var saved = Json(downloaded.Output);
        Assert.Equal(new FileInfo(package).Length, saved.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(package))), saved.GetProperty("sha256").GetString());
        var opened = Json((await Cpm(MeshFixture.Provider, "open", package, "--out", Path.Combine(_work, "files.zip"), "--json")).Output);
        Assert.True(opened.GetProperty("verified").GetBoolean());

        // A refusal: the relay's problem on standard output, exit code 1 kept.
        var refused = await Cpm(MeshFixture.CareOffice, "submit", Directory.GetFiles(samples, "UPJSK_*.CSV").Single(), "--json");
        refused.AssertExit(1);
        var problem = Json(refused.Output);
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("titleJa").GetString()));
        // And one of cpm's own: another office's key cannot open the package.
        var wrongKey = await Cpm(MeshFixture.OtherProvider, "open", package, "--out", Path.Combine(_work, "other.zip"), "--json");
        wrongKey.AssertExit(1);
        Assert.Equal("urn:careplanmesh:cpm:package", Json(wrongKey.Output).GetProperty("type").GetString());
    }

    /// <summary>Polls `cpm status` (not the API) until the submission reaches the state.</summary>
    Task WaitForState(string id, string state) =>
        Poll.Until(async () =>
        {
            var status = await Cpm(MeshFixture.CareOffice, "status", id);
            status.AssertExit(0);
            return Json(status.Output).GetProperty("state").GetString();
        }, last => last == state, TimeSpan.FromSeconds(60), last => $"Submission {id} stayed {last}, expected {state}.\n{mesh.Logs()}");

    static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task Probe_exits_0_for_a_ready_service_and_1_saying_why_for_a_stopped_one()
    {
        // What the docker-compose health checks run against each service's /health/ready.
        var ready = new Uri(mesh.Management["billing-reconciliation"], "/health/ready").ToString();

        var up = await Cpm(null, "probe", ready, "--json");
        up.AssertExit(0);
        Assert.Equal(200, Json(up.Output).GetProperty("status").GetInt32());

        await mesh.Stop("billing-reconciliation");
        try
        {
            var down = await Cpm(null, "probe", ready, "--timeout", "2");
            down.AssertExit(1);
            Assert.Contains($"{ready} cannot be reached", down.Error);
            var problem = Json((await Cpm(null, "probe", ready, "--timeout", "2", "--json")).Output);
            Assert.Equal("urn:careplanmesh:cpm:unreachable", problem.GetProperty("type").GetString());
            Assert.Equal($"{ready} に接続できません。", problem.GetProperty("detailJa").GetString());
        }
        finally
        {
            await mesh.Start("billing-reconciliation");
        }
        (await Cpm(null, "probe", ready)).AssertExit(0);
        // Not an http(s) address: a usage error, not a crash.
        var usage = await Cpm(null, "probe", "ftp://127.0.0.1/health/ready");
        usage.AssertExit(2);
        Assert.Contains("URL must be an absolute http(s) address", usage.Error);
    }

    Task<CpmRun> Cpm(string? office, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["CPM_URL"] = mesh.BaseAddress.ToString(),
            ["CPM_CA"] = Path.Combine(mesh.DemoDirectory, "ca.pem"),
        };
        if (office is not null)
            environment["CPM_OFFICE"] = Path.Combine(mesh.DemoDirectory, "offices", office);
        return CpmProcess.Run(_work, environment, args);
    }
}
