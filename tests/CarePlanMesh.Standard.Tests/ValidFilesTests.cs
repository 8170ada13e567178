namespace CarePlanMesh.Standard.Tests;

/// <summary>Every file kind and every send unit of the standard, written the way the spec asks, passes without a defect.</summary>
public sealed class ValidFilesTests
{
    public static TheoryData<string> Kinds => [.. StandardFiles.CsvKinds];

    public static TheoryData<string> Units => [.. StandardFiles.SendUnits().Select(u => u.Shape)];

    [Fact]
    public void The_generator_covers_the_seventeen_csv_kinds_of_the_layouts()
    {
        Assert.Equal(17, StandardFiles.CsvKinds.Count);
        Assert.Equal(FileLayouts.All.Where(l => l.IsCsv).Select(l => l.Kind).Order(), StandardFiles.CsvKinds.Order());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_generated_file_of_every_kind_validates_without_any_defect(string kind)
    {
        var file = StandardFiles.Valid(kind);

        var report = file.Validate();

        Assert.True(report.Defects.Count == 0, Expect.Describe(report.Defects));
        Assert.Equal(kind, report.Name?.Layout.Kind);
        Assert.Equal(file.Rows.Count, report.RecordCount);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_generated_file_fills_every_field_it_may_and_every_field_it_must(string kind)
    {
        var file = StandardFiles.Valid(kind);

        foreach (var field in file.Layout.Fields.Where(f => f.Requirement == Requirement.Required))
            Assert.All(file.Rows, row => Assert.NotEqual("", row[field.No - 1]));
        // Optional fields carry a value too, so that their format rules run on valid files; left empty are only the
        // unused ones, the type-limit frames after the first (filled from frame 1), and equipment fields off 福祉用具 rows.
        static bool LeftEmpty(FieldSpec f) =>
            f.Format == FieldFormat.Unused || (f.EnName.StartsWith("typeLimit", StringComparison.Ordinal) && f.EnName is not ("typeLimit1ServiceType" or "typeLimit1LimitUnits" or "typeLimit1TotalUnits" or "typeLimit1ExcessUnits" or "typeLimitTotalExcessUnits"))
            || f.EnName.StartsWith("equipment", StringComparison.Ordinal) || f.EnName == "familyImageFileName";
        foreach (var field in file.Layout.Fields.Where(f => f.Requirement == Requirement.Optional && !LeftEmpty(f)))
            Assert.Contains(file.Rows, row => row[field.No - 1].Length > 0);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_generated_file_is_real_ms932_with_crlf_line_ends(string kind)
    {
        var file = StandardFiles.Valid(kind);
        var bytes = file.Content.AsSpan();

        Assert.Equal(file.Text, Ms932.Encoding.GetString(bytes));
        Assert.EndsWith("\r\n", file.Text, StringComparison.Ordinal);
        Assert.Equal(bytes.Count("\r\n"u8), bytes.Count((byte)'\n'));
        Assert.Equal(bytes.Count("\r\n"u8), bytes.Count((byte)'\r'));
        // （ is 0x8169 in MS932 (EF BC 88 in UTF-8).
        if (file.Text.Contains('（'))
            Assert.True(bytes.IndexOf([(byte)0x81, (byte)0x69]) >= 0);
    }

    [Fact]
    public void Free_text_with_a_comma_a_quote_and_a_line_break_is_quoted_and_keeps_line_numbers_physical()
    {
        var file = StandardFiles.Valid("table1");

        Assert.Contains("\"\"見守り\"\"", file.Text);
        Assert.Equal(3, file.LineOf(1));
        Assert.True(file.Validate().Defects.Count == 0);
    }

    [Fact]
    public void The_generated_insurer_number_passes_the_check_digit_and_the_specs_example_does_not()
    {
        Assert.True(FieldRules.InsurerCheckDigitHolds(StandardFiles.Insurer));
        Assert.False(FieldRules.InsurerCheckDigitHolds("123456"));
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void Every_legal_send_unit_validates_for_its_sender(string shape)
    {
        var unit = StandardFiles.SendUnit(shape);

        var report = unit.Validate();

        Assert.True(report.Defects.Count() == 0, Expect.Describe(report.Defects));
        Assert.Equal(unit.Files.Sum(f => f.Rows.Count), report.RecordCount);
    }

    [Fact]
    public void The_send_units_are_all_different_combinations_of_kinds()
    {
        var units = StandardFiles.SendUnits();
        var combinations = units.Select(u => string.Join("+", u.ToArray().Select(f => StandardFileName.Parse(f.Name, [])!.Layout.Kind).Order())).ToHashSet();

        Assert.Equal(units.Count, combinations.Count);
        Assert.Contains("supplement+table1+table2+table3", combinations);
        Assert.Contains("plan6+supplement+table7", combinations);
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void A_send_unit_validates_whatever_order_its_files_arrive_in(string shape)
    {
        var unit = StandardFiles.SendUnit(shape);

        var report = StandardValidator.Validate([.. unit.ToArray().Reverse()], unit.Sender);

        Assert.True(report.IsValid, Expect.Describe(report.Defects));
    }

    [Fact]
    public void The_monthly_unit_ties_up_users_and_the_plan_unit_ties_up_plan_keys()
    {
        var monthly = StandardFiles.SendUnit("monthly");
        var plan = StandardFiles.SendUnit("plan");

        Assert.All(monthly.Files, f => Assert.Equal(StandardFiles.Users, f.Rows.Select(r => r[f.Layout.IndexOf("insuredNumber")]).Distinct()));
        Assert.All(plan.Files, f => Assert.All(f.Rows, r => Assert.Equal(StandardFiles.PlanDate, r[f.Layout.IndexOf("planCreatedOrChangedDate")])));
        Assert.Equal("00000000", monthly.File("supplement").Get(0, "planCreatedOrChangedDate"));
        Assert.Equal(StandardFiles.PlanMonth, plan.File("supplement").Get(0, "targetYearMonth"));
    }
}
