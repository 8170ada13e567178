using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Cli.Agent;

/// <summary>
/// The outbox: files care software writes are grouped into send units (sender, recipient, 連番); a unit whose files have
/// not changed for the quiet period and that forms a whole send unit is checked offline and sent. Sent units move to
/// outbox/sent/&lt;date&gt;/&lt;連番&gt;/ and get their signed receipts once acknowledged; refused ones move to
/// outbox/failed/&lt;date&gt;/&lt;連番&gt;/ with a report.
/// </summary>
public sealed class Outbox(AgentSettings settings, AgentStore store, RelayConnection relay, AgentLog log)
{
    public const string SubmissionFile = "submission.json";
    static readonly string[] ReceiptKinds = ["received", "validated", "acknowledged"];
    static readonly string[] Refused = ["Rejected", "Failed", "Expired", "Withdrawn"];
    static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Finishes what a crash or a failed call interrupted, then looks for new complete units.</summary>
    public async Task Tick(CancellationToken cancellationToken)
    {
        foreach (var row in store.Units(UnitStates.Submitted, UnitStates.Failing))
            Settle(row);
        foreach (var row in store.Units(UnitStates.Sending))
            await Send(row, cancellationToken);
        await Scan(cancellationToken);
    }

    async Task Scan(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.Outbox))
            return;
        // Files of units already on their way are not looked at again.
        var taken = store.Units(UnitStates.Sending, UnitStates.Submitted, UnitStates.Failing).SelectMany(r => r.Files).ToHashSet(StringComparer.Ordinal);
        var units = Directory.EnumerateFiles(settings.Outbox)
            .Select(path => (Path: path, Name: StandardFileName.Parse(Path.GetFileName(path), [])))
            // Names that are not the standard's (temporary names before a rename, other files) are left alone.
            .Where(f => f.Name is not null && !taken.Contains(f.Name.Name))
            .GroupBy(f => (f.Name!.SenderOffice, f.Name.RecipientOffice, f.Name.SendUnit));
        var now = DateTime.UtcNow;
        Misnamed(taken, now);
        foreach (var unit in units)
        {
            var quietFor = now - unit.Max(f => File.GetLastWriteTimeUtc(f.Path));
            if (quietFor < settings.Quiet)
                continue;
            List<(string Name, byte[] Content)> files;
            try
            {
                files = [.. unit.OrderBy(f => f.Name!.Name, StringComparer.Ordinal).Select(f => (f.Name!.Name, File.ReadAllBytes(f.Path)))];
            }
            // Still being written (Windows locks the file): next round.
            catch (IOException)
            {
                continue;
            }
            var (sender, recipient, sendUnit) = unit.Key;
            var key = $"{sender}_{recipient}_{sendUnit}";
            var report = StandardValidator.Validate(files);
            var names = files.Select(f => f.Name).ToList();
            if (report.IsValid)
            {
                await Send(store.AddUnit(key, sendUnit, UnitStates.Sending, names), cancellationToken);
                continue;
            }
            var errors = report.Defects.Where(d => d.Severity == Severity.Error).ToList();
            // A unit still missing files waits for them, until nothing has changed for a longer while.
            if (errors.All(d => d.Rule == "send-unit.incomplete") && quietFor < settings.IncompleteAfter)
                continue;
            log.Info($"unit {sendUnit} to {recipient} failed the offline check ({errors.Count} errors)");
            Settle(store.AddUnit(key, sendUnit, UnitStates.Failing, names, AgentFiles.Unique(Dated(settings.FailedFolder, sendUnit)),
                FailureReport.Write(sender, recipient, sendUnit, new FailureReport.Reason(
                    "標準仕様の点検（送信前のオフライン点検）で不備が見つかりました。", "The offline check against the standard found defects."), [.. report.Defects])));
        }
    }

    /// <summary>Posts the unit with its Idempotency-Key: after a crash the same key returns the submission the first post created.</summary>
    async Task Send(UnitRow row, CancellationToken cancellationToken)
    {
        var paths = row.Files.Select(name => Path.Combine(settings.Outbox, name)).ToList();
        var (sender, recipient) = Offices(row);
        if (paths.Any(p => !File.Exists(p)))
        {
            log.Warn($"unit {row.SendUnit} to {recipient}: files were removed from the outbox before sending");
            store.Failing(row.Id, AgentFiles.Unique(Dated(settings.FailedFolder, row.SendUnit)), FailureReport.Write(sender, recipient, row.SendUnit,
                new FailureReport.Reason("送信前にファイルが送信フォルダから削除されました。", "Files were removed from the outbox before sending."), []));
            Settle(store.Units(UnitStates.Failing).Single(r => r.Id == row.Id));
            return;
        }
        var contents = paths.Select(File.ReadAllBytes).ToList();
        log.Info($"sending unit {row.SendUnit} to {recipient} ({row.Files.Count} files)");
        using var response = await relay.Send(() =>
        {
            var form = new MultipartFormDataContent();
            for (var i = 0; i < contents.Count; i++)
            {
                var content = new ByteArrayContent(contents[i]);
                content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                form.Add(content, "files", row.Files[i]);
            }
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions") { Content = form };
            request.Headers.Add(RelayRetry.IdempotencyKey, row.IdempotencyKey);
            return request;
        }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var id = answer.RootElement.GetProperty("id").GetGuid();
            log.Info($"unit {row.SendUnit} to {recipient} accepted as submission {id}");
            store.Submitted(row.Id, id, AgentFiles.Unique(Dated(settings.SentFolder, row.SendUnit)));
            Settle(store.Units(UnitStates.Submitted).Single(r => r.Id == row.Id));
            return;
        }
        var status = (int)response.StatusCode;
        var problem = await Problem(response, cancellationToken);
        // Nothing was kept or it is still running: the next round sends again with the same key.
        if (status >= 500 || status == 429 || problem.Type.EndsWith(":idempotency-in-progress", StringComparison.Ordinal))
        {
            log.Warn($"unit {row.SendUnit} to {recipient}: relay answered {status}, will retry");
            return;
        }
        log.Info($"unit {row.SendUnit} to {recipient} refused by the relay ({status} {problem.Type})");
        store.Failing(row.Id, AgentFiles.Unique(Dated(settings.FailedFolder, row.SendUnit)),
            FailureReport.Write(sender, recipient, row.SendUnit, problem.Reason, problem.Defects));
        Settle(store.Units(UnitStates.Failing).Single(r => r.Id == row.Id));
    }

    /// <summary>Moves a submitted or refused unit's files to their folder; each move is atomic and repeating it after a crash is harmless.</summary>
    void Settle(UnitRow row)
    {
        if (row.State == UnitStates.Submitted)
        {
            var folder = row.Folder!;
            AgentFiles.Move(row.Files, settings.Outbox, folder);
            AgentFiles.WriteAtomically(Path.Combine(folder, SubmissionFile), JsonSerializer.SerializeToUtf8Bytes(
                new { submissionId = row.SubmissionId, sendUnit = row.SendUnit, files = row.Files }, Indented));
            store.SetUnitState(row.Id, UnitStates.Sent);
            return;
        }
        var target = row.Target!;
        AgentFiles.Move(row.Files, settings.Outbox, target);
        // Refused by the relay after it accepted the unit: the files move on from outbox/sent/.
        if (row.Folder is { } sent && Directory.Exists(sent))
        {
            AgentFiles.Move([.. Directory.GetFiles(sent).Select(Path.GetFileName).OfType<string>()], sent, target);
            Directory.Delete(sent);
        }
        AgentFiles.WriteAtomically(Path.Combine(target, FailureReport.FileName), Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(row.Report!)).ToArray());
        store.SetUnitState(row.Id, UnitStates.Failed, target);
        log.Info($"unit {row.SendUnit} moved to the failed folder with its report");
    }

    /// <summary>Follows the units waiting for acknowledgement: saves the signed receipts once acknowledged, moves refused ones to failed.</summary>
    public async Task Track(CancellationToken cancellationToken)
    {
        foreach (var row in store.Units(UnitStates.Sent))
        {
            using var response = await relay.Send(() => new HttpRequestMessage(HttpMethod.Get, $"/v1/submissions/{row.SubmissionId}"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                log.Warn($"submission {row.SubmissionId}: relay answered {(int)response.StatusCode} to the status request");
                continue;
            }
            using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var state = status.RootElement.GetProperty("state").GetString();
            if (state == "Acknowledged")
            {
                var saved = 0;
                foreach (var kind in ReceiptKinds)
                {
                    using var receipt = await relay.Send(() => new HttpRequestMessage(HttpMethod.Get, $"/v1/submissions/{row.SubmissionId}/receipts/{kind}"), cancellationToken);
                    if (!receipt.IsSuccessStatusCode)
                        break;
                    AgentFiles.WriteAtomically(Path.Combine(row.Folder!, $"receipt-{kind}.p7s"), await receipt.Content.ReadAsByteArrayAsync(cancellationToken));
                    saved++;
                }
                // A receipt the relay could not issue now is fetched in the next round.
                if (saved < ReceiptKinds.Length)
                    continue;
                store.SetUnitState(row.Id, UnitStates.Acknowledged);
                log.Info($"submission {row.SubmissionId} acknowledged; receipts saved");
            }
            else if (Refused.Contains(state))
            {
                var (sender, recipient) = Offices(row);
                var root = status.RootElement;
                var reason = root.TryGetProperty("failure", out var failure) && failure.ValueKind == JsonValueKind.Object
                    ? new FailureReport.Reason(failure.GetProperty("messageJa").GetString() ?? state!, failure.GetProperty("messageEn").GetString() ?? state!)
                    : new FailureReport.Reason($"中継で「{state}」になりました。", $"The relay ended the submission as {state}.");
                var defects = root.TryGetProperty("defects", out var list) && list.ValueKind == JsonValueKind.Array
                    ? list.Deserialize<List<Defect>>(DefectReport.JsonOptions) ?? []
                    : [];
                log.Info($"submission {row.SubmissionId} ended {state}");
                store.Failing(row.Id, AgentFiles.Unique(Dated(settings.FailedFolder, row.SendUnit)), FailureReport.Write(sender, recipient, row.SendUnit, reason, defects));
                Settle(store.Units(UnitStates.Failing).Single(r => r.Id == row.Id));
            }
        }
    }

    sealed record RelayProblem(string Type, FailureReport.Reason Reason, IReadOnlyList<Defect> Defects);

    static async Task<RelayProblem> Problem(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var fallback = new RelayProblem("", new FailureReport.Reason($"中継が {status} で断りました。", $"The relay refused with {status}."), []);
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = problem.RootElement;
            string Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
            var defects = root.TryGetProperty("defects", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.Deserialize<List<Defect>>(DefectReport.JsonOptions) ?? []
                : [];
            return new RelayProblem(Text("type"), new FailureReport.Reason($"{Text("titleJa")}。{Text("detailJa")}", $"{Text("title")}. {Text("detail")}"), defects);
        }
        catch (JsonException)
        {
            return fallback;
        }
    }

    static (string Sender, string Recipient) Offices(UnitRow row)
    {
        var parts = row.UnitKey.Split('_');
        return (parts[0], parts[1]);
    }

    /// <summary>The failed folder of a CSV file whose name is not the standard's, so cannot be put in any send unit.</summary>
    public const string MisnamedFolder = "名前不正_misnamed";

    /// <summary>
    /// A CSV file whose name is not the standard's belongs to no send unit and would otherwise wait in the outbox unseen:
    /// once it has not changed for the incomplete period it moves to outbox/failed/&lt;date&gt;/名前不正_misnamed/ with a
    /// report of what is wrong with the name. Other names (a temporary name before a rename, other files) are left alone.
    /// </summary>
    void Misnamed(HashSet<string> taken, DateTime now)
    {
        foreach (var path in Directory.EnumerateFiles(settings.Outbox))
        {
            var name = Path.GetFileName(path);
            var defects = new List<Defect>();
            if (!name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || taken.Contains(name)
                || StandardFileName.Parse(name, defects) is not null || now - File.GetLastWriteTimeUtc(path) < settings.IncompleteAfter)
                continue;
            // The name may be anything the user typed: it stays in the report on this PC, never in the log.
            log.Info("a CSV file with a name outside the standard failed the offline check");
            Settle(store.AddUnit($"misnamed:{name}:{File.GetLastWriteTimeUtc(path).Ticks}", MisnamedFolder, UnitStates.Failing, [name],
                AgentFiles.Unique(Dated(settings.FailedFolder, MisnamedFolder)),
                FailureReport.Write("—", "—", "—", new FailureReport.Reason(
                    "ファイル名が標準仕様の形式ではないため、どの送信単位のファイルか分かりません。", "The file name is not in the standard's form, so it belongs to no send unit."),
                    defects)));
        }
    }

    static string Dated(string root, string sendUnit) => Path.Combine(root, DateTime.Now.ToString("yyyy-MM-dd"), sendUnit);
}
