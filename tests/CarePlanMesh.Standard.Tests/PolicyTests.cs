namespace CarePlanMesh.Standard.Tests;

/// <summary>Where the standard is unclear the operator decides (docs/spec-decisions.md): every switch of the policy.</summary>
public sealed class PolicyTests
{
    static FileReport Plan(ValidationPolicy policy, Action<List<string[]>> change, string? name = null)
    {
        var rows = StandardFiles.Records("plan6");
        change(rows);
        return FileValidator.Validate(name ?? StandardFiles.Name("plan6"), StandardFiles.Encode(rows), policy);
    }

    static Severity? Level(FileReport report, string rule) => report.Defects.FirstOrDefault(d => d.Rule == rule)?.Severity;

    [Theory]
    [InlineData(RuleLevel.Error, Severity.Error)]
    [InlineData(RuleLevel.Warning, Severity.Warning)]
    [InlineData(RuleLevel.Off, null)]
    public void Uncertain_required_marks_follow_the_policy(RuleLevel level, Severity? expected) =>
        Assert.Equal(expected, Level(Plan(new() { UncertainRequired = level }, r => r[0][6] = ""), "field.required-uncertain"));

    [Fact]
    public void An_operator_may_refuse_v3_file_names() =>
        Assert.Equal(Severity.Error, Level(Plan(new() { V3FileNames = RuleLevel.Error }, _ => { }, "UPPLAN_202506_0300000100_0300000005_20250601090000.CSV"), "file-name.v3"));

    [Fact]
    public void A_csv_version_out_of_force_may_be_made_an_error() =>
        Assert.Equal(Severity.Error, Level(Plan(new() { CsvVersionNotInForce = RuleLevel.Error }, r => r[0][0] = "202208"), "csv-version.month"));

    [Fact]
    public void Extra_csv_versions_seen_in_the_wild_may_be_accepted()
    {
        var report = Plan(new() { ExtraCsvVersions = ["202410"] }, r => r[0][0] = "202410");

        Assert.Empty(report.Defects);
    }

    [Fact]
    public void The_insurer_check_digit_may_be_switched_off() =>
        Assert.Null(Level(Plan(new() { InsurerCheckDigit = RuleLevel.Off }, r => r[0][1] = "123456"), "insurer-number.check-digit"));

    [Fact]
    public void Lf_line_ends_may_be_accepted_silently()
    {
        var text = string.Join(',', StandardFiles.Records("plan6")[0].Select(v => v.Any(c => c > 0x7F) ? $"\"{v}\"" : v)) + "\n";

        var report = FileValidator.Validate(StandardFiles.Name("plan6"), Ms932.Encoding.GetBytes(text), new() { LineFeedOnly = RuleLevel.Off });

        Assert.Empty(report.Defects);
    }

    [Fact]
    public void A_missing_table3_may_be_refused()
    {
        var plan = StandardFiles.SendUnits()["plan"].Where(f => !f.Name.StartsWith("UP3KYO", StringComparison.Ordinal)).ToArray();

        Assert.False(StandardValidator.Validate(plan, StandardFiles.CareOffice, new() { MissingTable3 = RuleLevel.Error }).IsValid);
    }

    [Fact]
    public void Lengths_follow_the_overrides()
    {
        var rows = StandardFiles.Records("table7");
        rows[0][29] = "123";

        Assert.DoesNotContain(FileValidator.Validate(StandardFiles.Name("table7"), StandardFiles.Encode(rows)).Defects, d => d.Rule == "field.length");
        var strict = FileValidator.Validate(StandardFiles.Name("table7"), StandardFiles.Encode(rows), new() { LengthOverrides = new() { ["table7.30"] = 2 } });
        Assert.Equal(30, Assert.Single(strict.Defects, d => d.Rule == "field.length").Column);
    }
}
