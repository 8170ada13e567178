namespace CarePlanMesh.Standard;

/// <summary>How strictly a rule is applied where the standard leaves room (docs/spec-decisions.md).</summary>
public enum RuleLevel
{
    Error,
    Warning,
    Off,
}

/// <summary>
/// The choices an operator may make differently where the standard is unclear. Bound from the configuration section
/// "Validation" by the services and read from <c>--policy FILE.json</c> by the offline validator. Defaults are
/// the decisions written down in docs/spec-decisions.md.
/// </summary>
public sealed class ValidationPolicy
{
    /// <summary>Fields whose required mark the spec's text leaves uncertain (第6表 Nos.6–7, 利用者補足 Nos.5–8).</summary>
    public RuleLevel UncertainRequired { get; set; } = RuleLevel.Warning;

    /// <summary>v3.x file names without service-type codes: accepted with a warning, or refused.</summary>
    public RuleLevel V3FileNames { get; set; } = RuleLevel.Warning;

    /// <summary>A known CSV version value that is not the one in force for the file's service month.</summary>
    public RuleLevel CsvVersionNotInForce { get; set; } = RuleLevel.Warning;

    /// <summary>CSV version values accepted beside the standard's table, e.g. "202410" written by some v4.1 software.</summary>
    public List<string> ExtraCsvVersions { get; set; } = [];

    /// <summary>Records ended by a bare LF (or CR) instead of CRLF; reported once per file, at the first such record.</summary>
    public RuleLevel LineFeedOnly { get; set; } = RuleLevel.Warning;

    /// <summary>保険者番号 failing the 医療保険 check-digit rule, which the care standard does not state.</summary>
    public RuleLevel InsurerCheckDigit { get; set; } = RuleLevel.Warning;

    /// <summary>A plan send unit (1表 + 2表 + 補足) without its 第3表, which only v4.0 and later require.</summary>
    public RuleLevel MissingTable3 { get; set; } = RuleLevel.Warning;

    /// <summary>Maximum lengths that replace the layout's, keyed "kind.No", e.g. "table7.30" (v4.1 says 2, v3.2 widened it to 5).</summary>
    public Dictionary<string, int> LengthOverrides { get; set; } = new() { ["table7.30"] = 5 };

    /// <summary>Defects listed per file; the rest are counted in one closing "report.truncated" entry.</summary>
    public int MaxDefectsPerFile { get; set; } = 100;

    public static ValidationPolicy Default { get; } = new();
}
