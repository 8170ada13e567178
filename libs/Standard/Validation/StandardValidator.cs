namespace CarePlanMesh.Standard;

/// <summary>The outcome of validating one send unit: every file's report plus the send-unit defects.</summary>
public sealed record ValidationReport(IReadOnlyList<FileReport> Files, IReadOnlyList<Defect> SendUnitDefects)
{
    public IEnumerable<Defect> Defects => Files.SelectMany(f => f.Defects).Concat(SendUnitDefects);
    public int ErrorCount => Defects.Count(d => d.Severity == Severity.Error);
    public int WarningCount => Defects.Count(d => d.Severity == Severity.Warning);
    public int RecordCount => Files.Sum(f => f.RecordCount);
    public bool IsValid => ErrorCount == 0;

    /// <summary>The rule ids that fired, for events and metrics: no values, no lines.</summary>
    public IReadOnlyList<string> RuleIds => [.. Defects.Select(d => d.Rule).Distinct().Order(StringComparer.Ordinal)];
}

/// <summary>
/// The one validation library of CarePlanMesh (issue #3): used by the validation service, by intake's dry run
/// POST /v1/validate and by the offline `cpm validate`.
/// </summary>
public static class StandardValidator
{
    /// <param name="authenticatedOffice">The office that sends; null offline, where nobody is authenticated.</param>
    public static ValidationReport Validate(IReadOnlyList<(string Name, byte[] Content)> files, string? authenticatedOffice = null, ValidationPolicy? policy = null)
    {
        policy ??= ValidationPolicy.Default;
        var reports = files.Select(f => FileValidator.Validate(f.Name, f.Content, policy)).ToList();
        var unit = new List<Defect>();
        SendUnitRules.Check(reports, authenticatedOffice, policy, unit);
        return new ValidationReport(reports, unit);
    }
}
