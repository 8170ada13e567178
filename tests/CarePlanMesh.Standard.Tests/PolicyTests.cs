namespace CarePlanMesh.Standard.Tests;

/// <summary>Where the standard is unclear the operator decides (docs/spec-decisions.md): every switch of the policy.</summary>
public sealed class PolicyTests
{
    static Severity? Level(FileReport report, string rule) => report.Defects.SingleOrDefault(d => d.Rule == rule)?.Severity;

    public static TheoryData<RuleLevel> Levels => [RuleLevel.Error, RuleLevel.Warning, RuleLevel.Off];

    /// <summary>What a rule level turns into: a defect of that severity, or none.</summary>
    static Severity? Expected(RuleLevel level) => level switch
    {
        RuleLevel.Error => Severity.Error,
        RuleLevel.Warning => Severity.Warning,
        _ => null,
    };

    [Fact]
    public void The_defaults_are_the_decisions_written_down()
    {
        var policy = ValidationPolicy.Default;

        Assert.Equal(
            (RuleLevel.Warning, RuleLevel.Warning, RuleLevel.Warning, RuleLevel.Warning, RuleLevel.Warning, RuleLevel.Warning),
            (policy.UncertainRequired, policy.V3FileNames, policy.CsvVersionNotInForce, policy.LineFeedOnly, policy.InsurerCheckDigit, policy.MissingTable3));
        Assert.Empty(policy.ExtraCsvVersions);
        Assert.Equal(5, policy.LengthOverrides["table7.30"]);
        Assert.Equal(100, policy.MaxDefectsPerFile);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void An_empty_field_whose_required_mark_is_uncertain_follows_the_policy(RuleLevel level)
    {
        var file = StandardFiles.Valid("supplement").Set(0, "name", "");

        Assert.Equal(Expected(level), Level(file.Validate(new() { UncertainRequired = level }), "field.required-uncertain"));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void A_v3_file_name_follows_the_policy(RuleLevel level)
    {
        var file = StandardFiles.Valid("plan6");
        file.Name = StandardFiles.Name("plan6", v3: true);

        var report = file.Validate(new() { V3FileNames = level });

        Assert.Equal(Expected(level), Level(report, "file-name.v3"));
        Assert.Equal(file.Rows.Count, report.RecordCount);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void A_csv_version_not_in_force_for_the_month_follows_the_policy(RuleLevel level)
    {
        var file = StandardFiles.Valid("plan6").SetAll("csvVersion", "202208");

        Assert.Equal(Expected(level), Level(file.Validate(new() { CsvVersionNotInForce = level }), "csv-version.month"));
    }

    [Fact]
    public void An_extra_csv_version_seen_in_the_wild_may_be_accepted_for_any_month()
    {
        var file = StandardFiles.Valid("plan6").SetAll("csvVersion", "202410");

        Assert.Equal(Severity.Error, Level(file.Validate(), "csv-version.unknown"));
        Assert.Empty(file.Validate(new() { ExtraCsvVersions = ["202410"] }).Defects);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Records_ended_by_lf_follow_the_policy(RuleLevel level)
    {
        var file = StandardFiles.Valid("plan6");
        file.LineEnding = "\n";

        var report = file.Validate(new() { LineFeedOnly = level });

        Assert.Equal(Expected(level), Level(report, "csv.line-ending"));
        Assert.Equal(file.Rows.Count, report.RecordCount);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void The_insurer_check_digit_follows_the_policy(RuleLevel level)
    {
        var file = StandardFiles.Valid("plan6").Set(0, "insurerNumber", "123456");

        Assert.Equal(Expected(level), Level(file.Validate(new() { InsurerCheckDigit = level }), "insurer-number.check-digit"));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void A_plan_unit_without_table3_follows_the_policy(RuleLevel level)
    {
        var unit = StandardFiles.SendUnit("plan");
        var files = unit.Files.Where(f => f.Kind != "table3").Select(f => f.Pair).ToArray();

        var report = StandardValidator.Validate(files, unit.Sender, new() { MissingTable3 = level });

        Assert.Equal(Expected(level), report.Defects.SingleOrDefault(d => d.Rule == "send-unit.table3-missing")?.Severity);
    }

    [Fact]
    public void Length_overrides_replace_the_layouts_length()
    {
        var file = StandardFiles.Valid("table7").Set(0, "daysUsedBeforeMonth", "123");
        var field = file.Field("daysUsedBeforeMonth");
        var key = $"table7.{field.No}";

        // The layout says 2; the default policy widens it to 5 as v3.2 did.
        Assert.Equal(2, field.MaxLength);
        Assert.Null(Level(file.Validate(), "field.length"));
        Assert.Null(Level(file.Validate(new() { LengthOverrides = new() { [key] = 3 } }), "field.length"));
        var strict = file.Validate(new() { LengthOverrides = new() });
        Expect.FieldDefect(strict, "field.length", 1, field, "123");
    }

    [Fact]
    public void A_length_override_may_narrow_any_field()
    {
        var file = StandardFiles.Valid("plan6");
        var field = file.Field("units");

        var report = file.Validate(new() { LengthOverrides = new() { [$"plan6.{field.No}"] = 2 } });

        Assert.Equal(file.Rows.Count, report.Defects.Count(d => d.Rule == "field.length" && d.Column == field.No));
    }

    [Fact]
    public void The_defect_cap_follows_the_policy()
    {
        var file = StandardFiles.Valid("plan6").SetAll("serviceDate", "20250702");

        var report = file.Validate(new() { MaxDefectsPerFile = 3 });

        Assert.Equal(4, report.Defects.Count);
        Assert.Contains($"{file.Rows.Count - 3} more", Expect.Single(report, "report.truncated").MessageEn);
    }
}
