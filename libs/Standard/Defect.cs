namespace CarePlanMesh.Standard;

public enum Severity
{
    Error,
    Warning,
}

/// <summary>
/// One finding about one file. Line and column are 1-based; Column is the field number (No. in the layout).
/// Messages describe the rule, not the content; <see cref="Value"/> shows the offending value, masked to its shape when
/// the field holds personal data (<see cref="FieldSpec.Show"/>), so a report never carries a name or an insured number.
/// </summary>
public sealed record Defect(
    string File,
    int? Line,
    int? Column,
    string? Field,
    string Rule,
    Severity Severity,
    string MessageJa,
    string MessageEn,
    string? Value = null)
{
    public static Defect Error(string file, string rule, string ja, string en, int? line = null, int? column = null, string? field = null, string? value = null) =>
        new(file, line, column, field, rule, Severity.Error, ja, en, value);

    public static Defect Warning(string file, string rule, string ja, string en, int? line = null, int? column = null, string? field = null, string? value = null) =>
        new(file, line, column, field, rule, Severity.Warning, ja, en, value);

    public static Defect Of(Severity severity, string file, string rule, string ja, string en, int? line = null, int? column = null, string? field = null, string? value = null) =>
        new(file, line, column, field, rule, severity, ja, en, value);
}
