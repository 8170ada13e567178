using System.Text.Json;
using System.Text.RegularExpressions;

namespace CarePlanMesh.Standard;

/// <summary>One file kind of the standard, read from the embedded layouts.json.</summary>
public sealed record FileLayout(string Kind, string JaName, string Prefix, int FieldCount, bool HasMonthPart, bool IsCsv)
{
    internal Regex V4Name { get; init; } = null!;
    internal Regex V3Name { get; init; } = null!;

    /// <summary>The layout's fields in order; field No. n is <c>Fields[n - 1]</c>.</summary>
    public IReadOnlyList<FieldSpec> Fields { get; init; } = [];

    /// <summary>The 0-based index of the field with this English name, or -1 when the layout has none.</summary>
    public int IndexOf(string enName)
    {
        for (var i = 0; i < Fields.Count; i++)
            if (Fields[i].EnName == enName)
                return i;
        return -1;
    }
}

/// <summary>A CSV version value of the standard and the first service month it applies to (spec README §6).</summary>
public sealed record CsvVersion(string Value, string AppliesFromMonth, string Edition);

/// <summary>The 18 file kinds of ケアプランデータ連携標準仕様 v4.1 (spec README §3) and the tables beside them.</summary>
public static class FileLayouts
{
    static readonly Catalogue Loaded = Load();

    public static IReadOnlyList<FileLayout> All => Loaded.Layouts;

    /// <summary>meta.csvVersionHistory: every CSV version value the standard has defined, oldest first.</summary>
    public static IReadOnlyList<CsvVersion> CsvVersions => Loaded.Versions;

    /// <summary>Service types whose records the standard exchanges (meta.scope: 介護給付, 予防給付, 総合事業).</summary>
    public static IReadOnlySet<string> ServiceTypesInScope => Loaded.InScope;

    /// <summary>Service types the standard names but does not exchange (residential, facilities, sales, ...).</summary>
    public static IReadOnlySet<string> ServiceTypesOutOfScope => Loaded.OutOfScope;

    public static FileLayout? ByKind(string kind) => All.FirstOrDefault(l => l.Kind == kind);

    sealed record Catalogue(List<FileLayout> Layouts, List<CsvVersion> Versions, HashSet<string> InScope, HashSet<string> OutOfScope);

    static Catalogue Load()
    {
        using var stream = typeof(FileLayouts).Assembly.GetManifestResourceStream("CarePlanMesh.Standard.layouts.json")
            ?? throw new InvalidOperationException("layouts.json is not embedded in CarePlanMesh.Standard.");
        using var document = JsonDocument.Parse(stream);
        var layouts = new List<FileLayout>();
        foreach (var layout in document.RootElement.GetProperty("layouts").EnumerateArray())
        {
            var prefix = layout.GetProperty("prefix").GetString()!;
            var kind = layout.GetProperty("kind").GetString()!;
            var v4 = layout.GetProperty("fileNameRegex").GetString()!;
            // v3.x names are the v4 names without the two service-type parts (spec README §3).
            var v3 = v4.Replace("_([0-9A-Z]{2})", "", StringComparison.Ordinal);
            layouts.Add(new FileLayout(
                kind,
                layout.GetProperty("jaName").GetString()!,
                prefix,
                layout.GetProperty("fieldCount").GetInt32(),
                HasMonthPart: v4.StartsWith($"^{prefix}_\\d{{6}}_", StringComparison.Ordinal),
                IsCsv: v4.EndsWith("\\.CSV$", StringComparison.Ordinal))
            {
                V4Name = new Regex(v4, RegexOptions.CultureInvariant | RegexOptions.Compiled),
                V3Name = new Regex(v3, RegexOptions.CultureInvariant | RegexOptions.Compiled),
                Fields = [.. layout.GetProperty("fields").EnumerateArray().Select(f => FieldSpec.Read(kind, f))],
            });
        }

        var meta = document.RootElement.GetProperty("meta");
        var versions = meta.GetProperty("csvVersionHistory").EnumerateArray()
            .Select(v => new CsvVersion(
                v.GetProperty("value").GetString()!,
                v.GetProperty("appliesFromServiceMonth").GetString()!.Replace("-", "", StringComparison.Ordinal),
                v.GetProperty("edition").GetString()!))
            .ToList();
        var scope = meta.GetProperty("scope");
        HashSet<string> Codes(params string[] lists) =>
            [.. lists.SelectMany(list => scope.GetProperty(list).EnumerateArray().Select(c => c.GetString()!))];
        var inScope = Codes("kaigoKyufuInScope", "yoboKyufuInScope", "sogoJigyoInScope");
        var outOfScope = Codes("kaigoKyufuOutOfScope", "yoboKyufuOutOfScope");
        outOfScope.ExceptWith(inScope);
        return new Catalogue(layouts, versions, inScope, outOfScope);
    }
}
