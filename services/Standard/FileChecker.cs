using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace CarePlanMesh.Standard;

public sealed record FileCheckResult(string File, StandardFileName? Name, int RecordCount, IReadOnlyList<Defect> Defects);

/// <summary>
/// File-level checks of one file of the standard: its name, strict MS932, and the CSV shape (every record has the
/// layout's field count; quoted fields may hold commas, doubled quotes and line breaks).
/// </summary>
public static class FileChecker
{
    public const int MaxDefectsPerFile = 100;

    public static FileCheckResult Check(string file, byte[] content)
    {
        var defects = new List<Defect>();
        var name = StandardFileName.Parse(file, defects);
        var records = 0;
        var omitted = 0;
        if (name is { Layout.IsCsv: true })
        {
            var text = Ms932.Decode(file, content, defects);
            if (!defects.Any(d => d.Rule is "encoding.bom" or "encoding.utf8"))
                (records, omitted) = CheckShape(file, text, name.Layout, defects);
        }
        return new FileCheckResult(file, name, records, Cap(file, defects, omitted));
    }

    static (int Records, int Omitted) CheckShape(string file, string text, FileLayout layout, List<Defect> defects)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            Mode = CsvMode.RFC4180,
            DetectColumnCountChanges = false,
            IgnoreBlankLines = true,
            BadDataFound = args => defects.Add(Defect.Error(file, "csv.quote",
                "引用符（\"）の使い方が不正です。項目内の\"は\"\"と二重にしてください。",
                "A double quote is misplaced; a quote inside a field must be doubled (\"\").",
                line: args.Context.Parser?.RawRow)),
        };
        using var csv = new CsvParser(new StringReader(text), config);
        var records = 0;
        var omitted = 0;
        var previousRawRow = 0;
        while (csv.Read())
        {
            records++;
            var startLine = previousRawRow + 1;
            previousRawRow = csv.RawRow;
            if (csv.Count == layout.FieldCount)
                continue;
            if (defects.Count >= MaxDefectsPerFile)
                omitted++;
            else
                defects.Add(Defect.Error(file, "csv.field-count",
                    $"{startLine}行目の項目数が{csv.Count}です。{layout.JaName}は{layout.FieldCount}項目です。",
                    $"Line {startLine} has {csv.Count} fields; {layout.Kind} records have {layout.FieldCount}.",
                    line: startLine, column: Math.Min(csv.Count, layout.FieldCount + 1)));
        }
        if (records == 0)
            defects.Add(Defect.Error(file, "csv.empty", "レコードがありません。", "The file holds no records."));
        return (records, omitted);
    }

    static List<Defect> Cap(string file, List<Defect> defects, int omitted)
    {
        if (defects.Count <= MaxDefectsPerFile && omitted == 0)
            return defects;
        var rest = defects.Count - Math.Min(defects.Count, MaxDefectsPerFile) + omitted;
        var capped = defects.Take(MaxDefectsPerFile).ToList();
        capped.Add(Defect.Error(file, "report.truncated",
            $"ほかに{rest}件の指摘があります。", $"{rest} more defects in this file are not listed."));
        return capped;
    }
}
