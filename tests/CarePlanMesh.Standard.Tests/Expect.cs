namespace CarePlanMesh.Standard.Tests;

/// <summary>Assertions shared by the rule tests: where a defect points, how it is worded, and that it shows no personal value.</summary>
static class Expect
{
    /// <summary>
    /// The single defect of <paramref name="rule"/> about one field: its line, field No. and name, severity, the value
    /// as sent or, for a personal field, only its shape, and messages that name line and field in both languages.
    /// </summary>
    /// <param name="shown">The value the rule reports when it is not the field's whole value (a service code's type).</param>
    public static Defect FieldDefect(FileReport report, string rule, int line, FieldSpec field, string value, Severity severity = Severity.Error, string? shown = null)
    {
        var defect = Single(report, rule);
        Assert.Equal((line, field.No, field.JaName, severity), (defect.Line, defect.Column, defect.Field, defect.Severity));
        Assert.Equal(shown ?? (value.Length == 0 ? null : field.IsPersonal ? Shape(value) : value), defect.Value);
        Assert.StartsWith($"{line}行目 No.{field.No} {field.JaName}: ", defect.MessageJa, StringComparison.Ordinal);
        Assert.StartsWith($"Line {line}, No.{field.No} {field.EnName}: ", defect.MessageEn, StringComparison.Ordinal);
        if (field.IsPersonal && value.Length > 0)
            NotShown(value, defect);
        return defect;
    }

    /// <summary>The single defect of <paramref name="rule"/>, complete, with the file it is about.</summary>
    public static Defect Single(FileReport report, string rule)
    {
        var defect = Assert.Single(report.Defects, d => d.Rule == rule);
        Complete(defect, report.File);
        return defect;
    }

    public static Defect Single(ValidationReport report, string rule)
    {
        var defect = Assert.Single(report.Defects, d => d.Rule == rule);
        Complete(defect, defect.File);
        return defect;
    }

    public static void Complete(Defect defect, string file)
    {
        Assert.Equal(file, defect.File);
        Assert.False(string.IsNullOrWhiteSpace(defect.Rule));
        Assert.False(string.IsNullOrWhiteSpace(defect.MessageJa));
        Assert.False(string.IsNullOrWhiteSpace(defect.MessageEn));
        Assert.True(Enum.IsDefined(defect.Severity));
        Assert.True(defect.Line is null or >= 1, $"line {defect.Line}");
        Assert.True(defect.Column is null or >= 1, $"column {defect.Column}");
    }

    /// <summary>The documented mask (docs/spec-decisions.md #18): 9 per digit, X per letter, * otherwise.</summary>
    public static string Shape(string value) =>
        string.Concat(value.Select(c => char.IsAsciiDigit(c) ? '9' : char.IsAsciiLetter(c) ? 'X' : '*'));

    /// <summary>A personal value appears nowhere in the defect, not even in its messages.</summary>
    public static void NotShown(string value, Defect defect)
    {
        Assert.DoesNotContain(value, defect.Value ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(value, defect.MessageJa, StringComparison.Ordinal);
        Assert.DoesNotContain(value, defect.MessageEn, StringComparison.Ordinal);
    }

    /// <summary>(kind, field) of every CSV kind's fields that match, as theory data.</summary>
    public static TheoryData<string, string> Fields(Func<string, FieldSpec, bool> match)
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in StandardFiles.CsvKinds)
            foreach (var field in FileLayouts.ByKind(kind)!.Fields.Where(f => match(kind, f)))
                data.Add(kind, field.EnName);
        return data;
    }

    public static TheoryData<string, string> Fields(Func<FieldSpec, bool> match) => Fields((_, f) => match(f));

    public static IEnumerable<Defect> Errors(FileReport report) => report.Defects.Where(d => d.Severity == Severity.Error);

    public static string Describe(IEnumerable<Defect> defects) =>
        string.Join("\n", defects.Select(d => $"{d.Rule} {d.Severity} line {d.Line} No.{d.Column} {d.Field} [{d.Value}] {d.MessageEn}"));
}
