using System.Globalization;
using System.Text.Json.Nodes;
using CarePlanMesh.Standard;
using CsvHelper;

namespace CarePlanMesh.Cli.Agent.Web;

/// <summary>
/// Puts names on a reconciliation report. The relay's report names users by 保険者番号 / 被保険者番号 (or, for a user only the
/// 予定 lists, by its line in the 予定); the names are in the 利用者補足 files this agent sent or received, so they are
/// looked up here, on the office's PC, and shown only on its page.
/// </summary>
public sealed class LocalNames(AgentSettings settings, AgentStore store)
{
    public void Resolve(JsonNode report)
    {
        var names = Supplements();
        var plan = PlanFolder(report["planSubmissionId"]?.GetValue<string>());
        foreach (var difference in (report["differences"] as JsonArray ?? []).OfType<JsonObject>())
            Name(difference, names, () => Line(plan, "plan6", difference["planLine"]));
        foreach (var user in (report["overLimit"] as JsonArray ?? []).OfType<JsonObject>())
            Name(user, names, () => Line(plan, "supplement", user["supplementLine"]));
    }

    static void Name(JsonObject entry, Dictionary<(string, string), (string Name, string Kana)> names, Func<(string Insurer, string Insured)?> fromPlan)
    {
        var identity = entry["user"] is JsonObject user
            ? (user["insurerNumber"]?.GetValue<string>() ?? "", user["insuredNumber"]?.GetValue<string>() ?? "")
            : fromPlan();
        if (identity is not { } known)
            return;
        entry["user"] ??= new JsonObject { ["insurerNumber"] = known.Item1, ["insuredNumber"] = known.Item2 };
        if (names.TryGetValue(known, out var name))
        {
            entry["name"] = name.Name;
            entry["nameKana"] = name.Kana;
        }
    }

    /// <summary>保険者番号 + 被保険者番号 → 利用者氏名 from every 利用者補足 in outbox/sent and the inbox; the newest file wins.</summary>
    Dictionary<(string, string), (string Name, string Kana)> Supplements()
    {
        var layout = FileLayouts.ByKind("supplement")!;
        var names = new Dictionary<(string, string), (string, string)>();
        var files = new[] { settings.SentFolder, settings.Inbox }.Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "UPHOSOKU_*", SearchOption.AllDirectories))
            .Where(path => !path.Contains(".careplanmesh-partial", StringComparison.Ordinal))
            .OrderBy(File.GetLastWriteTimeUtc);
        foreach (var file in files)
            foreach (var (row, _) in Rows(file, layout))
                names[(row[layout.IndexOf("insurerNumber")], row[layout.IndexOf("insuredNumber")])] = (row[layout.IndexOf("name")], row[layout.IndexOf("nameKana")]);
        return names;
    }

    /// <summary>The outbox/sent folder of the 予定 the report compared with, when this agent sent it.</summary>
    string? PlanFolder(string? planSubmissionId) =>
        Guid.TryParse(planSubmissionId, out var id)
            ? store.Units(UnitStates.Sent, UnitStates.Acknowledged).FirstOrDefault(u => u.SubmissionId == id)?.Folder
            : null;

    static (string, string)? Line(string? folder, string kind, JsonNode? line)
    {
        var layout = FileLayouts.ByKind(kind)!;
        if (folder is null || line is null || !Directory.Exists(folder))
            return null;
        var number = line.GetValue<int>();
        var file = Directory.EnumerateFiles(folder, $"{layout.Prefix}_*").FirstOrDefault();
        if (file is null)
            return null;
        foreach (var (row, at) in Rows(file, layout))
            if (at == number)
                return (row[layout.IndexOf("insurerNumber")], row[layout.IndexOf("insuredNumber")]);
        return null;
    }

    /// <summary>The records of a file with the line each starts on, as validation counts them; a file changed by hand since (not MS932, not CSV) names nobody.</summary>
    static List<(string[] Row, int Line)> Rows(string file, FileLayout layout)
    {
        try
        {
            return [.. StandardRecords.Read(File.ReadAllBytes(file), layout)];
        }
        catch (Exception exception) when (exception is System.Text.DecoderFallbackException or IOException or CsvHelperException)
        {
            return [];
        }
    }
}
