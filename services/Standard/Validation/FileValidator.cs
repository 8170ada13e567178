using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace CarePlanMesh.Standard;

/// <summary>What one file of a send unit turned out to be.</summary>
public sealed record FileReport(string File, StandardFileName? Name, int RecordCount, IReadOnlyList<Defect> Defects)
{
    public bool IsValid => Defects.All(d => d.Severity != Severity.Error);

    internal IReadOnlySet<string> Users { get; init; } = new HashSet<string>();
    internal IReadOnlySet<string> PlanKeys { get; init; } = new HashSet<string>();
}

/// <summary>
/// Validates one file of the standard in one pass (issue #3 §2–§4): its name, strict MS932, the CSV syntax and field
/// count, every field of every record, the record rules of its kind and the file-level rules.
/// </summary>
public static class FileValidator
{
    public static FileReport Validate(string file, byte[] content, ValidationPolicy? policy = null)
    {
        policy ??= ValidationPolicy.Default;
        var defects = new DefectList(file, policy.MaxDefectsPerFile);
        var nameDefects = new List<Defect>();
        var name = StandardFileName.Parse(file, nameDefects);
        foreach (var defect in nameDefects)
            if (defect.Rule == "file-name.v3")
                defects.Add(policy.V3FileNames, defect.Rule, defect.MessageJa, defect.MessageEn);
            else
                defects.Add(defect);

        if (content.Length == 0)
            defects.Error("file.empty", "ファイルが空です。", "The file is empty.");
        else if (name is { Layout.IsCsv: true })
            return ValidateCsv(file, content, name, policy, defects);
        return new FileReport(file, name, 0, defects.ToList());
    }

    static FileReport ValidateCsv(string file, byte[] content, StandardFileName name, ValidationPolicy policy, DefectList defects)
    {
        var encodingDefects = new List<Defect>();
        var text = Ms932.Decode(file, content, encodingDefects);
        foreach (var defect in encodingDefects)
            defects.Add(defect);
        if (encodingDefects.Any(d => d.Rule is "encoding.bom" or "encoding.utf8"))
            return new FileReport(file, name, 0, defects.ToList());

        var layout = name.Layout;
        var rules = new RecordRules(name, policy, defects);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            Mode = CsvMode.RFC4180,
            DetectColumnCountChanges = false,
            // Blank lines come through as records so that line numbers stay exact; they are skipped below.
            IgnoreBlankLines = false,
            BadDataFound = args => defects.Error("csv.quote",
                $"{args.Context.Parser?.RawRow}行目: 引用符（\"）の使い方が不正です。項目内の\"は\"\"と二重にし、項目全体を\"で囲んでください。",
                $"Line {args.Context.Parser?.RawRow}: a double quote is misplaced; enclose the field in quotes and double any quote inside it.",
                line: args.Context.Parser?.RawRow),
        };
        using var csv = new CsvParser(new MemoryReader(text), config);
        var fields = new string[layout.FieldCount];
        var maxLengths = layout.Fields.Select(f => policy.LengthOverrides.TryGetValue($"{layout.Kind}.{f.No}", out var length) ? length : f.MaxLength).ToArray();
        var records = 0;
        var previousRawRow = 0;
        var blankLines = 0;
        while (csv.Read())
        {
            var line = previousRawRow + 1;
            previousRawRow = csv.RawRow;
            if (csv.Count == 1 && csv[0].Length == 0)
            {
                blankLines++;
                continue;
            }
            records++;
            if (records == 1 && policy.LineFeedOnly != RuleLevel.Off && !csv.RawRecord.EndsWith("\r\n", StringComparison.Ordinal) && csv.RawRecord.EndsWith('\n'))
                defects.Add(policy.LineFeedOnly, "csv.line-ending", "改行コードがLFです。CRLFで出力してください。",
                    "Records end with LF; write CRLF.", line: line);
            if (csv.Count != layout.FieldCount)
            {
                defects.Error("csv.field-count",
                    $"{line}行目の項目数が{csv.Count}です。{layout.JaName}は{layout.FieldCount}項目です。",
                    $"Line {line} has {csv.Count} fields; {layout.Kind} records have {layout.FieldCount}.",
                    line: line, column: Math.Min(csv.Count, layout.FieldCount + 1));
                continue;
            }
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = csv[i];
                FieldRules.Check(layout.Fields[i], maxLengths[i], fields[i], line, layout.Kind, policy, defects);
            }
            rules.Check(fields, line);
        }
        if (blankLines > 0)
            defects.Warning("csv.blank-line", $"空行が{blankLines}行あります（読み飛ばしました）。", $"{blankLines} blank lines were skipped.");
        if (records == 0)
            defects.Error("csv.empty", "レコードがありません。", "The file holds no records.");
        else
            rules.Complete();
        return new FileReport(file, name, records, defects.ToList()) { Users = rules.Users, PlanKeys = rules.PlanKeys };
    }
}
