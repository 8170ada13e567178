namespace CarePlanMesh.Standard.Tests;

/// <summary>
/// One case per field, record and file rule: a valid file of the kind with exactly one thing broken, and the defect
/// that must come back — rule, line, field No. and name, severity, and the value (masked when personal).
/// </summary>
public sealed class RecordRuleTests
{
    public sealed record Case(string Rule, string Kind, Action<List<string[]>> Break, int? Line, int? Column, Severity Severity = Severity.Error,
        string? Value = null, string Month = StandardFiles.Month)
    {
        public override string ToString() => $"{Rule} in {Kind}";
    }

    static Action<List<string[]>> Set(int no, string value, int row = 0) => rows => rows[row][no - 1] = value;

    public static TheoryData<Case> Cases =>
    [
        new("field.required", "plan6", Set(15, ""), 1, 15),
        new("field.required-uncertain", "plan6", Set(7, ""), 1, 7, Severity.Warning),
        new("field.length", "plan6", Set(14, "123"), 1, 14, Value: "123"),
        new("field.date", "plan6", Set(4, "20250230"), 1, 4, Value: "20250230"),
        new("field.year-month", "plan6", Set(5, "202513"), 1, 5, Value: "202513"),
        new("field.time", "plan6", Set(12, "2460"), 1, 12, Value: "2460"),
        new("field.digits", "supplement", Set(57, "1a"), 1, 57, Value: "1a", Month: "000000"),
        new("field.integer", "plan6", Set(8, "12a"), 1, 8, Value: "12a"),
        new("field.range", "table2", Set(6, "0"), 1, 6, Value: "0"),
        new("field.decimal", "table7", Set(23, "10.5"), 1, 23, Value: "10.5"),
        new("office-number.format", "plan6", Set(20, "030000005"), 1, 20, Value: "030000005"),
        new("insurer-number.format", "plan6", Set(2, "43507"), 1, 2, Value: "43507"),
        new("insurer-number.check-digit", "plan6", Set(2, "123456"), 1, 2, Severity.Warning, "123456"),
        new("insured-number.format", "plan6", Set(3, "X123456789"), 1, 3, Value: "X999999999"),
        new("field.alphanumeric", "plan6", Set(22, "あ"), 1, 22, Value: "あ"),
        new("field.code", "plan6", Set(23, "2"), 1, 23, Value: "2"),
        new("service-type.out-of-scope", "plan6", Set(15, "339901"), 1, 15, Value: "33"),
        new("service-type.unknown", "plan6", Set(15, "ZZ9901"), 1, 15, Value: "ZZ"),
        new("service-code.format", "plan6", Set(15, "11990"), 1, 15, Value: "11990"),
        new("day-flags.format", "plan6", Set(11, "111"), 1, 11, Value: "111"),
        new("field.postal-code", "supplement", Set(9, "1000001"), 1, 9, Value: "9999999", Month: "000000"),
        new("field.unused", "plan6", Set(25, "1"), 1, 25, Severity.Warning, "1"),
        new("record.month", "plan6", Set(5, "202507"), 1, 5, Value: "202507"),
        new("record.month", "plan6Delete", Set(4, "202507"), 1, 4, Value: "202507"),
        new("record.service-date-month", "plan6", Set(10, "20250702"), 1, 10, Value: "20250702"),
        new("supplement.plan-date", "supplement", Set(4, "20250501"), 1, 4, Value: "20250501"),
        new("supplement.plan-date", "supplement", Set(4, "00000000"), 1, 4, Month: "000000", Value: "00000000"),
        new("equipment.code-missing", "plan6", Set(15, "179901"), 1, 16),
        new("equipment.discriminator", "plan6", Set(19, "1"), 1, 19, Value: "1"),
        new("direction.updater", "plan6", Set(24, "0300000007"), 1, 24, Value: "0300000007"),
        new("direction.updater", "actual6", Set(24, "0300000100"), 1, 24, Value: "0300000100"),
        new("direction.provider", "actual6", Set(20, "0300000007"), 1, 20, Value: "0300000007"),
        new("direction.provider", "actual6Delete", Set(5, "0300000007"), 1, 5, Value: "0300000007"),
        new("csv-version.mixed", "plan6", rows => { rows.Add((string[])rows[0].Clone()); rows[1][0] = "202504"; }, 2, 1, Value: "202504"),
        new("csv-version.unknown", "plan6", rows => rows.ForEach(r => r[0] = "202410"), 1, 1, Value: "202410"),
        new("csv-version.month", "plan6", rows => rows.ForEach(r => r[0] = "202208"), 1, 1, Severity.Warning, "202208"),
        new("table7.total-row", "table7", Set(7, "0300000005", row: 1), 2, 9, Value: "999999"),
        new("table7.subtotal-units", "table7", Set(13, "5", row: 1), 2, 13, Value: "5"),
        new("table7.subtotal-discount", "table7", Set(14, "90", row: 1), 2, 14, Value: "90"),
        new("table7.total-count", "table7", rows => rows.RemoveAt(1), 1, null),
        new("table7.subtotal-missing", "table7", rows => { var other = (string[])rows[0].Clone(); other[8] = "111111"; rows.Insert(1, other); }, 1, null),
        new("csv.field-count", "plan6", rows => rows[0] = [.. rows[0], "extra"], 1, 26),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rule_reports_its_defect_with_line_field_severity_and_value(Case @case)
    {
        var rows = StandardFiles.Records(@case.Kind, @case.Month);
        @case.Break(rows);

        var report = FileValidator.Validate(StandardFiles.Name(@case.Kind, month: @case.Month), StandardFiles.Encode(rows));

        var defect = Assert.Single(report.Defects, d => d.Rule == @case.Rule);
        Assert.Equal((@case.Line, @case.Column, @case.Severity), (defect.Line, defect.Column, defect.Severity));
        if (@case.Column is { } no && @case.Rule != "csv.field-count" && !@case.Rule.StartsWith("table7.total", StringComparison.Ordinal))
            Assert.Equal(FileLayouts.ByKind(@case.Kind)!.Fields[no - 1].JaName, defect.Field);
        Assert.Equal(@case.Value, defect.Value);
        Assert.False(string.IsNullOrWhiteSpace(defect.MessageJa));
        Assert.False(string.IsNullOrWhiteSpace(defect.MessageEn));
    }

    [Fact]
    public void A_personal_value_never_appears_in_a_report()
    {
        var rows = StandardFiles.Records("supplement", "000000");
        rows[0][5] = new string('あ', 5) + "\"";   // 氏名 with a stray quote inside a quoted field
        rows[0][2] = "H12345678Z";                // 被保険者番号 of the wrong shape

        var report = FileValidator.Validate(StandardFiles.Name("supplement", month: "000000"), StandardFiles.Encode(rows));

        var insured = Assert.Single(report.Defects, d => d.Rule == "insured-number.format");
        Assert.Equal("X99999999X", insured.Value);
        Assert.DoesNotContain(report.Defects, d => $"{d.Value}{d.MessageJa}{d.MessageEn}".Contains("H12345678Z") || $"{d.Value}{d.MessageJa}".Contains("あああ"));
    }

    [Fact]
    public void A_misplaced_quote_is_reported_with_its_line()
    {
        var text = "202407,435073,12345\"67890," + string.Join(',', StandardFiles.Records("plan6")[0].Skip(3)) + "\r\n";

        var report = FileValidator.Validate(StandardFiles.Name("plan6"), Ms932.Encoding.GetBytes(text));

        Assert.Equal(1, Assert.Single(report.Defects, d => d.Rule == "csv.quote").Line);
    }

    [Fact]
    public void Records_ended_by_lf_and_blank_lines_are_warnings_that_keep_line_numbers_physical()
    {
        var rows = StandardFiles.Records("plan6", StandardFiles.Month, "1234567890", "2234567890");
        rows[1][9] = "20250702";
        var text = string.Join("\n\n", rows.Select(r => string.Join(',', r.Select(v => v.Any(c => c > 0x7F) ? $"\"{v}\"" : v)))) + "\n";

        var report = FileValidator.Validate(StandardFiles.Name("plan6"), Ms932.Encoding.GetBytes(text));

        Assert.Contains(report.Defects, d => (d.Rule, d.Severity) == ("csv.line-ending", Severity.Warning));
        Assert.Contains(report.Defects, d => (d.Rule, d.Severity) == ("csv.blank-line", Severity.Warning));
        Assert.Equal(3, Assert.Single(report.Defects, d => d.Rule == "record.service-date-month").Line);
    }
}
