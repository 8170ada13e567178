namespace CarePlanMesh.Standard;

/// <summary>The defects of one file, capped at the policy's maximum; the rest are only counted.</summary>
public sealed class DefectList(string file, int max)
{
    readonly List<Defect> _listed = [];
    // A warning that repeats on every record (a check digit, an unused field) is listed once per rule and field,
    // with the number of further lines it applies to.
    readonly Dictionary<(string Rule, int? Column), int> _warned = [];
    readonly Dictionary<int, int> _repeats = [];

    public string File { get; } = file;
    public int Omitted { get; private set; }
    public int ErrorCount { get; private set; }
    public bool HasErrors => ErrorCount > 0;

    public void Add(Defect defect)
    {
        if (defect.Severity == Severity.Error)
            ErrorCount++;
        else if (_warned.TryGetValue((defect.Rule, defect.Column), out var index))
        {
            if (index >= 0)
                _repeats[index] = _repeats.GetValueOrDefault(index) + 1;
            return;
        }
        else
            _warned[(defect.Rule, defect.Column)] = _listed.Count < max ? _listed.Count : -1;
        if (_listed.Count < max)
            _listed.Add(defect);
        else
            Omitted++;
    }

    public void Add(RuleLevel level, string rule, string ja, string en, int? line = null, int? column = null, string? field = null, string? value = null)
    {
        if (level != RuleLevel.Off)
            Add(Defect.Of(level == RuleLevel.Error ? Severity.Error : Severity.Warning, File, rule, ja, en, line, column, field, value));
    }

    public void Error(string rule, string ja, string en, int? line = null, int? column = null, string? field = null, string? value = null) =>
        Add(RuleLevel.Error, rule, ja, en, line, column, field, value);

    public void Warning(string rule, string ja, string en, int? line = null, int? column = null, string? field = null, string? value = null) =>
        Add(RuleLevel.Warning, rule, ja, en, line, column, field, value);

    /// <summary>A defect about one field of one record.</summary>
    public void Field(RuleLevel level, string rule, FieldSpec field, int line, string value, string ja, string en) =>
        Add(level, rule, $"{line}行目 No.{field.No} {field.JaName}: {ja}", $"Line {line}, No.{field.No} {field.EnName}: {en}",
            line, field.No, field.JaName, value.Length == 0 ? null : field.Show(value));

    /// <summary>The listed defects, closed by a count of those left out.</summary>
    public IReadOnlyList<Defect> ToList()
    {
        foreach (var (index, count) in _repeats)
            _listed[index] = _listed[index] with
            {
                MessageJa = $"{_listed[index].MessageJa}（同じ指摘がほかに{count}行）",
                MessageEn = $"{_listed[index].MessageEn} (also on {count} more lines)",
            };
        _repeats.Clear();
        if (Omitted == 0)
            return _listed;
        return [.. _listed, Defect.Of(HasErrors ? Severity.Error : Severity.Warning, File, "report.truncated",
            $"ほかに{Omitted}件の指摘があります（1ファイルあたり{max}件まで表示）。",
            $"{Omitted} more defects in this file are not listed (at most {max} per file).")];
    }
}
