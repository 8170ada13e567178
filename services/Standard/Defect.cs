namespace CarePlanMesh.Standard;

public enum Severity
{
    Error,
    Warning,
}

/// <summary>
/// One finding about one file. Line and column are 1-based; Column is the field number (No. in the layout).
/// Values are never copied in: messages describe the rule, not the content, so defects carry no personal data.
/// </summary>
public sealed record Defect(
    string File,
    int? Line,
    int? Column,
    string? Field,
    string Rule,
    Severity Severity,
    string MessageJa,
    string MessageEn)
{
    public static Defect Error(string file, string rule, string ja, string en, int? line = null, int? column = null, string? field = null) =>
        new(file, line, column, field, rule, Severity.Error, ja, en);

    public static Defect Warning(string file, string rule, string ja, string en, int? line = null, int? column = null, string? field = null) =>
        new(file, line, column, field, rule, Severity.Warning, ja, en);
}
