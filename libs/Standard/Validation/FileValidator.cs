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
        // The line the record being read starts on; blank lines are records too, so it follows the parser's row count.
        var line = 1;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            Mode = CsvMode.RFC4180,
            DetectColumnCountChanges = false,
            // Blank lines come through as records so that line numbers stay exact; they are skipped below.
            IgnoreBlankLines = false,
            // The parser's row count has moved past the bad quote (to the end of the file for an unclosed one): report
            // the line the record starts on, as every other record defect does.
            BadDataFound = _ => QuoteDefect(line),
        };
        var quoteReported = false;
        void QuoteDefect(int at)
        {
            quoteReported = true;
            defects.Error("csv.quote",
                $"{at}行目: 引用符（\"）の使い方が不正です。項目内の\"は\"\"と二重にし、項目全体を\"で囲んでください。",
                $"Line {at}: a double quote is misplaced; enclose the field in quotes and double any quote inside it.",
                line: at);
        }
        using var csv = new CsvParser(new MemoryReader(text), config);
        var fields = new string[layout.FieldCount];
        var maxLengths = layout.Fields.Select(f => policy.LengthOverrides.TryGetValue($"{layout.Kind}.{f.No}", out var length) ? length : f.MaxLength).ToArray();
        var records = 0;
        var lastRecordLine = 1;
        var blankLines = 0;
        // Reading each record's raw text costs a copy: only files holding a bare CR or LF somewhere pay for it.
        var checkLineEnds = policy.LineFeedOnly != RuleLevel.Off && HasBareLineBreak(text.Span);
        for (; csv.Read(); line = csv.RawRow + 1)
        {
            if (csv.Count == 1 && csv[0].Length == 0)
            {
                blankLines++;
                continue;
            }
            records++;
            lastRecordLine = line;
            if (checkLineEnds && BareLineEnd(csv.RawRecord) is { } lineEnd)
            {
                defects.Add(policy.LineFeedOnly, "csv.line-ending", $"改行コードが{lineEnd}です。CRLFで出力してください。",
                    $"Records end with {lineEnd}; write CRLF.", line: line);
                checkLineEnds = false;
            }
            if (csv.Count != layout.FieldCount)
            {
                // A misplaced quote is found only as a field is read, and is the likely cause of the wrong count.
                for (var i = 0; i < csv.Count; i++)
                    _ = csv[i];
                // Column: the first field missing, or the first one too many.
                defects.Error("csv.field-count",
                    $"{line}行目の項目数が{csv.Count}です。{layout.JaName}は{layout.FieldCount}項目です。",
                    $"Line {line} has {csv.Count} fields; {layout.Kind} records have {layout.FieldCount}.",
                    line: line, column: Math.Min(csv.Count, layout.FieldCount) + 1);
                continue;
            }
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = csv[i];
                FieldRules.Check(layout.Fields[i], maxLengths[i], fields[i], line, layout.Kind, policy, defects);
            }
            rules.Check(fields, line);
        }
        // CsvHelper lets a quote left open at the end of the file pass when a doubled quote comes just before the end;
        // well-formed quoting always uses quotes in pairs.
        if (!quoteReported && text.Span.Count('"') % 2 == 1)
            QuoteDefect(lastRecordLine);
        if (blankLines > 0)
            defects.Warning("csv.blank-line", $"空行が{blankLines}行あります（読み飛ばしました）。", $"{blankLines} blank lines were skipped.");
        if (records == 0)
            defects.Error("csv.empty", "レコードがありません。", "The file holds no records.");
        else
            rules.Complete();
        return new FileReport(file, name, records, defects.ToList()) { Users = rules.Users, PlanKeys = rules.PlanKeys };
    }

    static bool HasBareLineBreak(ReadOnlySpan<char> text)
    {
        var crlf = text.Count("\r\n");
        return text.Count('\n') != crlf || text.Count('\r') != crlf;
    }

    /// <summary>"LF" or "CR" when the record ends with a bare one; null for CRLF or the end of the file.</summary>
    static string? BareLineEnd(string rawRecord) =>
        rawRecord.EndsWith("\r\n", StringComparison.Ordinal) ? null
        : rawRecord.EndsWith('\n') ? "LF"
        : rawRecord.EndsWith('\r') ? "CR"
        : null;
}
