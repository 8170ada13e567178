using System.Text.Json;
using System.Text.RegularExpressions;

namespace CarePlanMesh.Standard;

/// <summary>One file kind of the standard, read from the embedded layouts.json.</summary>
public sealed record FileLayout(string Kind, string JaName, string Prefix, int FieldCount, bool HasMonthPart, bool IsCsv)
{
    internal Regex V4Name { get; init; } = null!;
    internal Regex V3Name { get; init; } = null!;
}

/// <summary>The 18 file kinds of ケアプランデータ連携標準仕様 v4.1 (spec README §3).</summary>
public static class FileLayouts
{
    public static IReadOnlyList<FileLayout> All { get; } = Load();

    public static FileLayout? ByKind(string kind) => All.FirstOrDefault(l => l.Kind == kind);

    static List<FileLayout> Load()
    {
        using var stream = typeof(FileLayouts).Assembly.GetManifestResourceStream("CarePlanMesh.Standard.layouts.json")
            ?? throw new InvalidOperationException("layouts.json is not embedded in CarePlanMesh.Standard.");
        using var document = JsonDocument.Parse(stream);
        var layouts = new List<FileLayout>();
        foreach (var layout in document.RootElement.GetProperty("layouts").EnumerateArray())
        {
            var prefix = layout.GetProperty("prefix").GetString()!;
            var v4 = layout.GetProperty("fileNameRegex").GetString()!;
            // v3.x names are the v4 names without the two service-type parts (spec README §3).
            var v3 = v4.Replace("_([0-9A-Z]{2})", "", StringComparison.Ordinal);
            layouts.Add(new FileLayout(
                layout.GetProperty("kind").GetString()!,
                layout.GetProperty("jaName").GetString()!,
                prefix,
                layout.GetProperty("fieldCount").GetInt32(),
                HasMonthPart: v4.StartsWith($"^{prefix}_\\d{{6}}_", StringComparison.Ordinal),
                IsCsv: v4.EndsWith("\\.CSV$", StringComparison.Ordinal))
            {
                V4Name = new Regex(v4, RegexOptions.CultureInvariant | RegexOptions.Compiled),
                V3Name = new Regex(v3, RegexOptions.CultureInvariant | RegexOptions.Compiled),
            });
        }
        return layouts;
    }
}
