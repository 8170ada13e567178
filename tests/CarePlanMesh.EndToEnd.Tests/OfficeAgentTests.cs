using System.Net.Http.Json;
using System.Text.Json;
using CarePlanMesh.Standard;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Two office agents (`cpm agent`) against the running mesh: the care office sends from its outbox, the provider receives into its inbox.</summary>
[Collection(MeshCollection.Name)]
public sealed class OfficeAgentTests(MeshFixture mesh) : IAsyncLifetime
{
    readonly string _root = Directory.CreateTempSubdirectory("careplanmesh-agent-").FullName;
    AgentProcess _care = null!;
    AgentProcess _provider = null!;

    public Task InitializeAsync()
    {
        _care = new AgentProcess(mesh, MeshFixture.AgentCareOffice, _root);
        _provider = new AgentProcess(mesh, MeshFixture.AgentProvider, _root);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _care.DisposeAsync();
        await _provider.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    static string Today => DateTime.Now.ToString("yyyy-MM-dd");

    [Fact]
    public async Task A_unit_dropped_in_the_outbox_arrives_byte_for_byte_in_the_providers_inbox_and_is_acknowledged_with_receipts()
    {
        _care.Start();
        _provider.Start();
        const string serial = "20250720090000";
        var unit = SampleFiles.PlanSendUnit(serial, MeshFixture.AgentCareOffice, MeshFixture.AgentProvider);
        // Care software writes under a temporary name and renames: the agent picks the files up after the rename.
        Directory.CreateDirectory(_care.Outbox);
        foreach (var (name, content) in unit)
        {
            var temporary = Path.Combine(_care.Outbox, name + ".tmp");
            await File.WriteAllBytesAsync(temporary, content);
            File.Move(temporary, Path.Combine(_care.Outbox, name));
        }

        var received = Path.Combine(_provider.Inbox, MeshFixture.AgentCareOffice, serial);
        await Until(() => Directory.Exists(received), "the unit never reached the provider's inbox");
        foreach (var (name, content) in unit)
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(received, name)));
        // Once acknowledged, the relay's signed receipt of the acknowledgement lands beside the files, and nothing else does.
        var receipt = Path.Combine(received, "receipt-acknowledged.p7s");
        await Until(() => File.Exists(receipt), "the acknowledgement's receipt never arrived beside the received files");
        Assert.Equal(unit.Select(f => f.Name).Append("receipt-acknowledged.p7s").Order(StringComparer.Ordinal),
            Directory.GetFiles(received).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var sent = Path.Combine(_care.Outbox, "sent", Today, serial);
        await Until(() => File.Exists(Path.Combine(sent, "receipt-acknowledged.p7s")), "the acknowledged receipt never arrived in outbox/sent");
        Assert.Empty(Directory.GetFiles(_care.Outbox));
        foreach (var (name, content) in unit)
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(sent, name)));
        var id = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sent, "submission.json"))).RootElement.GetProperty("submissionId").GetGuid();
        var status = await mesh.Status(mesh.ClientFor(MeshFixture.AgentCareOffice), id);
        Assert.Equal("Acknowledged", status.GetProperty("state").GetString());
        foreach (var kind in new[] { "received", "validated", "acknowledged" })
            Assert.Contains(id.ToString(), System.Text.Encoding.UTF8.GetString(
                await OpenSsl.Verify(await File.ReadAllBytesAsync(Path.Combine(sent, $"receipt-{kind}.p7s")), Path.Combine(mesh.DemoDirectory, "ca.pem"))));
        // The provider holds the same signed statement of its acknowledgement as the sender.
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(sent, "receipt-acknowledged.p7s")), await File.ReadAllBytesAsync(receipt));
        Assert.Contains(id.ToString(), System.Text.Encoding.UTF8.GetString(await OpenSsl.Verify(await File.ReadAllBytesAsync(receipt), Path.Combine(mesh.DemoDirectory, "ca.pem"))));
    }

    [Fact]
    public async Task Units_arriving_out_of_order_are_imported_in_連番_order()
    {
        _provider.Start();
        const string earlier = "20250721090000", later = "20250721100000";
        var sender = mesh.ClientFor(MeshFixture.AgentCareOffice);
        // The later unit goes first; the earlier one follows while the later is on its way or already waiting.
        var laterId = await mesh.Submit(sender, SampleFiles.PlanSendUnit(later, MeshFixture.AgentCareOffice, MeshFixture.AgentProvider));
        var earlierId = await mesh.Submit(sender, SampleFiles.PlanSendUnit(earlier, MeshFixture.AgentCareOffice, MeshFixture.AgentProvider));

        await Until(() => Directory.Exists(Path.Combine(_provider.Inbox, MeshFixture.AgentCareOffice, later)), "the later unit never reached the inbox");
        await _provider.WaitForLine($"連番 {later} imported");
        Assert.True(Directory.Exists(Path.Combine(_provider.Inbox, MeshFixture.AgentCareOffice, earlier)));
        var imported = _provider.Lines.Where(l => l.Contains(" imported ", StringComparison.Ordinal)).ToList();
        Assert.True(imported.FindIndex(l => l.Contains(earlier)) < imported.FindIndex(l => l.Contains(later)), _provider.Log());
        await mesh.WaitForState(sender, earlierId, "Acknowledged");
        await mesh.WaitForState(sender, laterId, "Acknowledged");
    }

    [Fact]
    public async Task A_csv_file_whose_name_is_not_the_standards_lands_in_outbox_failed_with_a_report_and_its_name_stays_out_of_the_log()
    {
        _care.Start();
        Directory.CreateDirectory(_care.Outbox);
        const string name = "山田様_利用票.csv";
        var content = SampleFiles.PlanSendUnit("20250722100000", MeshFixture.AgentCareOffice, MeshFixture.AgentProvider)[0].Content;
        await File.WriteAllBytesAsync(Path.Combine(_care.Outbox, name), content);
        // A temporary name before a rename is not a CSV file and is left alone.
        await File.WriteAllBytesAsync(Path.Combine(_care.Outbox, "export.tmp"), content);

        var failed = Path.Combine(_care.Outbox, "failed", Today, "名前不正_misnamed");
        var reportPath = Path.Combine(failed, "報告_report.txt");
        await Until(() => File.Exists(reportPath), "the misnamed file never reached outbox/failed");
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(failed, name)));
        var report = await File.ReadAllTextAsync(reportPath);
        var english = report.IndexOf("----- English -----", StringComparison.Ordinal);
        Assert.Contains("ファイル名が標準仕様の形式ではない", report[..english]);
        Assert.Contains("not in the standard's form", report[english..]);
        var defects = new List<Defect>();
        Assert.Null(StandardFileName.Parse(name, defects));
        Assert.NotEmpty(defects);
        Assert.All(defects, d => Assert.Contains(d.MessageJa, report));
        Assert.True(File.Exists(Path.Combine(_care.Outbox, "export.tmp")));
        Assert.DoesNotContain(_care.Lines, l => l.Contains("山田", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_incomplete_unit_lands_in_outbox_failed_with_a_report_in_japanese_and_english_and_is_not_sent()
    {
        _care.Start();
        const string serial = "20250722090000";
        var unit = SampleFiles.PlanSendUnit(serial, MeshFixture.AgentCareOffice, MeshFixture.AgentProvider).Where(f => !f.Name.StartsWith("UPHOSOKU_", StringComparison.Ordinal)).ToArray();
        Directory.CreateDirectory(_care.Outbox);
        foreach (var (name, content) in unit)
            await File.WriteAllBytesAsync(Path.Combine(_care.Outbox, name), content);

        var failed = Path.Combine(_care.Outbox, "failed", Today, serial);
        var reportPath = Path.Combine(failed, "報告_report.txt");
        await Until(() => File.Exists(reportPath), "the incomplete unit never reached outbox/failed");
        foreach (var (name, content) in unit)
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(failed, name)));
        var report = await File.ReadAllTextAsync(reportPath);
        var english = report.IndexOf("----- English -----", StringComparison.Ordinal);
        Assert.True(english > 0, report);
        var incomplete = Defects(unit).Single(d => d.Rule == "send-unit.incomplete");
        Assert.Contains(incomplete.MessageJa, report[..english]);
        Assert.Contains(incomplete.MessageEn, report[english..]);
        Assert.Contains("ファイル:", report[..english]);
        Assert.Contains("file:", report[english..]);
        Assert.DoesNotContain(_care.Lines, l => l.Contains($"sending unit {serial}", StringComparison.Ordinal));
        Assert.Empty(await SentWith(serial));
    }

    [Fact]
    public async Task Killing_the_agents_during_sending_and_during_receiving_loses_and_duplicates_nothing()
    {
        const string serial = "20250723090000";
        var unit = SampleFiles.PlanSendUnit(serial, MeshFixture.AgentCareOffice, MeshFixture.AgentProvider);
        _care.Start();
        Directory.CreateDirectory(_care.Outbox);
        foreach (var (name, content) in unit)
            await File.WriteAllBytesAsync(Path.Combine(_care.Outbox, name), content);
        await _care.WaitForLine($"sending unit {serial}");
        await _care.Kill();
        _care.Start();
        var sent = Path.Combine(_care.Outbox, "sent", Today, serial);
        await Until(() => File.Exists(Path.Combine(sent, "submission.json")), "the unit never reached outbox/sent after the restart");
        var submission = Assert.Single(await SentWith(serial));

        _provider.Start();
        await _provider.WaitForLine($"downloading delivery {submission}");
        await _provider.Kill();
        _provider.Start();
        var received = Path.Combine(_provider.Inbox, MeshFixture.AgentCareOffice, serial);
        await Until(() => File.Exists(Path.Combine(sent, "receipt-acknowledged.p7s")), "the unit was never acknowledged after the restart");
        foreach (var (name, content) in unit)
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(received, name)));
        Assert.Equal([received], Directory.GetDirectories(Path.Combine(_provider.Inbox, MeshFixture.AgentCareOffice), $"{serial}*"));
        Assert.False(Directory.Exists(Path.Combine(_provider.Inbox, ".careplanmesh-partial", submission.ToString())));
        Assert.Single(await SentWith(serial));
        Assert.Equal("Acknowledged", (await mesh.Status(mesh.ClientFor(MeshFixture.AgentCareOffice), submission)).GetProperty("state").GetString());
    }

    static IReadOnlyList<Defect> Defects((string Name, byte[] Content)[] files) => [.. StandardValidator.Validate(files).Defects];

    /// <summary>The care office's submissions to the provider with this 連番, from the relay's list.</summary>
    async Task<List<Guid>> SentWith(string serial)
    {
        var page = await mesh.ClientFor(MeshFixture.AgentCareOffice).GetFromJsonAsync<JsonElement>($"/v1/submissions?recipientOffice={MeshFixture.AgentProvider}&limit=200");
        return [.. page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("sendUnit").GetString() == serial).Select(i => i.GetProperty("id").GetGuid())];
    }

    Task Until(Func<bool> condition, string what) =>
        Poll.Until(() => Task.FromResult(condition()), TimeSpan.FromSeconds(90), () => $"{what}.\n{_care.Log()}\n{_provider.Log()}\n{mesh.Logs()}");
}
