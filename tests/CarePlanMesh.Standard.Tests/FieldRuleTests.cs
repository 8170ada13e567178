namespace CarePlanMesh.Standard.Tests;

/// <summary>
/// Field rules, one test each: a valid file with one value broken, and the defect that must come back — rule, line,
/// field No. and name, severity, and the value (only its shape for personal fields).
/// </summary>
public sealed class FieldRuleTests
{
    /// <summary>Breaks one field of one row of a valid file and validates it.</summary>
    static (FileReport Report, int Line, FieldSpec Field) Break(string kind, int row, string field, string value)
    {
        var file = StandardFiles.Valid(kind).Set(row, field, value);
        return (file.Validate(), file.LineOf(row), file.Field(field));
    }

    static Defect Reports(string rule, string kind, int row, string field, string value, Severity severity = Severity.Error, string? shown = null)
    {
        var (report, line, spec) = Break(kind, row, field, value);
        return Expect.FieldDefect(report, rule, line, spec, value, severity, shown);
    }

    [Fact]
    public void Rejects_a_plan_row_without_its_service_date() =>
        Reports("field.required", "plan6", 1, "serviceDate", "");

    [Fact]
    public void Rejects_a_delete_file_without_its_plan_date_since_every_delete_field_is_required() =>
        Reports("field.required", "table1Delete", 1, "planCreatedOrChangedDate", "");

    public static TheoryData<string, string> RequiredFields => Expect.Fields(f => f.Requirement == Requirement.Required);

    [Theory]
    [MemberData(nameof(RequiredFields))]
    public void Rejects_every_required_field_of_every_kind_when_empty(string kind, string field) =>
        Reports("field.required", kind, 0, field, "");

    [Fact]
    public void Warns_when_a_plan_row_leaves_the_staff_name_whose_required_mark_is_uncertain_empty() =>
        Reports("field.required-uncertain", "plan6", 0, "planStaffName", "", Severity.Warning);

    [Fact]
    public void Rejects_a_count_of_three_digits_where_the_layout_allows_two()
    {
        var defect = Reports("field.length", "plan6", 0, "count", "100");

        Assert.Contains("2", defect.MessageEn);
        Assert.Contains("3", defect.MessageEn);
    }

    [Fact]
    public void Rejects_a_phone_number_longer_than_fifteen_characters_and_shows_only_its_shape()
    {
        var defect = Reports("field.length", "supplement", 0, "phone", "019-000-0000-12345");

        Assert.Equal("999*999*9999*99999", defect.Value);
    }

    public static TheoryData<string, string> LimitedFields =>
        Expect.Fields((kind, f) => MaxLength(kind, f) is not null && f.Format is not (FieldFormat.Date or FieldFormat.YearMonth));

    /// <summary>The layout's length after the default policy's overrides.</summary>
    static int? MaxLength(string kind, FieldSpec field) =>
        ValidationPolicy.Default.LengthOverrides.TryGetValue($"{kind}.{field.No}", out var length) ? length : field.MaxLength;

    [Theory]
    [MemberData(nameof(LimitedFields))]
    public void Rejects_every_limited_field_of_every_kind_one_character_over_its_limit(string kind, string field)
    {
        var spec = FileLayouts.ByKind(kind)!.Fields.Single(f => f.EnName == field);

        Reports("field.length", kind, 0, field, new string('1', MaxLength(kind, spec)!.Value + 1));
    }

    [Fact]
    public void Rejects_a_created_date_of_the_thirtieth_of_february() =>
        Reports("field.date", "plan6", 0, "createdDate", "20250230");

    [Fact]
    public void Rejects_a_birth_date_that_is_not_a_date_and_shows_only_its_shape()
    {
        var defect = Reports("field.date", "supplement", 0, "birthDate", "19401301");

        Assert.Equal("99999999", defect.Value);
    }

    [Fact]
    public void Rejects_a_csv_version_that_is_not_a_real_month() =>
        Reports("field.year-month", "plan6", 0, "csvVersion", "202513");

    [Fact]
    public void Rejects_a_start_time_of_twenty_four_sixty() =>
        Reports("field.time", "plan6", 0, "startTime", "2460");

    [Fact]
    public void Rejects_9999_in_a_table3_time_since_only_table6_times_may_be_9999() =>
        Reports("field.time", "table3", 0, "serviceStartTime", "9999");

    [Fact]
    public void Accepts_9999_as_a_table6_time_for_services_without_one()
    {
        var file = StandardFiles.Valid("plan6").Set(0, "startTime", "9999").Set(0, "endTime", "9999");

        Assert.Empty(file.Validate().Defects);
    }

    [Fact]
    public void Rejects_a_letter_in_the_supplements_stay_days() =>
        Reports("field.digits", "supplement", 0, "stayDaysUntilPreviousMonth", "1a");

    [Fact]
    public void Rejects_units_that_are_not_an_integer() =>
        Reports("field.integer", "plan6", 0, "units", "25O");

    [Fact]
    public void Accepts_negative_units_as_shared_services_reduce_the_first_day()
    {
        var file = StandardFiles.Valid("plan6").Set(0, "units", "-25");

        Assert.Empty(file.Validate().Defects);
    }

    [Fact]
    public void Rejects_need_number_zero_in_table2() =>
        Reports("field.range", "table2", 0, "needNo", "0");

    [Fact]
    public void Rejects_a_unit_price_with_one_decimal() =>
        Reports("field.decimal", "table7", 0, "unitPriceYen", "10.5");

    [Fact]
    public void Rejects_a_plan_whose_office_number_has_nine_digits() =>
        Reports("office-number.format", "plan6", 0, "providerOfficeNumber", "030000005");

    [Fact]
    public void Rejects_an_insurer_number_of_five_digits() =>
        Reports("insurer-number.format", "plan6", 0, "insurerNumber", "43507");

    [Fact]
    public void Warns_when_the_insurer_number_fails_the_health_insurance_check_digit()
    {
        // The check digit is unique: one more than a passing number fails.
        var wrong = StandardFiles.Insurer[..5] + (char)('0' + (StandardFiles.Insurer[5] - '0' + 1) % 10);

        Reports("insurer-number.check-digit", "plan6", 0, "insurerNumber", wrong, Severity.Warning);
    }

    [Fact]
    public void Rejects_an_insured_number_starting_with_another_letter_than_H_and_shows_only_its_shape()
    {
        var defect = Reports("insured-number.format", "plan6", 0, "insuredNumber", "X123456789");

        Assert.Equal("X999999999", defect.Value);
    }

    [Fact]
    public void Rejects_a_full_width_satellite_branch() =>
        Reports("field.alphanumeric", "plan6", 0, "satelliteBranch", "０1");

    [Fact]
    public void Rejects_a_thirty_day_flag_outside_its_code_list()
    {
        var defect = Reports("field.code", "plan6", 0, "over30DaysFlag", "2");

        Assert.All(FileLayouts.ByKind("plan6")!.Fields.Single(f => f.EnName == "over30DaysFlag").Codes!, code => Assert.Contains(code, defect.MessageEn));
    }

    [Fact]
    public void Rejects_a_service_code_of_a_type_outside_the_standards_scope()
    {
        Assert.Contains("33", FileLayouts.ServiceTypesOutOfScope);

        Reports("service-type.out-of-scope", "plan6", 0, "serviceCode", "339901", shown: "33");
    }

    [Fact]
    public void Rejects_a_supplement_type_limit_frame_of_a_type_outside_the_scope() =>
        Reports("service-type.out-of-scope", "supplement", 0, "typeLimit1ServiceType", "41");

    [Fact]
    public void Rejects_a_service_code_whose_type_does_not_exist_and_names_the_type() =>
        Reports("service-type.unknown", "plan6", 0, "serviceCode", "ZZ9901", shown: "ZZ");

    [Fact]
    public void Rejects_a_withdrawal_of_actuals_for_a_service_type_that_does_not_exist() =>
        Reports("service-type.unknown", "actual6Delete", 0, "serviceTypeCode", "1Z");

    [Fact]
    public void Rejects_a_service_code_of_five_characters() =>
        Reports("service-code.format", "plan6", 0, "serviceCode", "11990");

    [Theory]
    [InlineData("999999")]
    [InlineData("11AAAA")]
    [InlineData("ZZZZZZ")]
    public void Rejects_a_table7_subtotal_or_total_code_on_a_table6_row(string code) =>
        Reports("service-code.format", "plan6", 0, "serviceCode", code);

    [Theory]
    [InlineData("ZZAAAA", "service-type.unknown")]
    [InlineData("33EEEE", "service-type.out-of-scope")]
    public void Rejects_a_table7_subtotal_of_a_type_that_is_not_exchanged(string code, string rule)
    {
        var file = StandardFiles.Valid("table7");
        var subtotal = file.Rows.FindIndex(r => r[file.Layout.IndexOf("serviceCode")].EndsWith("AAAA", StringComparison.Ordinal));
        file.Set(subtotal, "serviceCode", code);

        Expect.FieldDefect(file.Validate(), rule, file.LineOf(subtotal), file.Field("serviceCode"), code, shown: code[..2]);
    }

    [Fact]
    public void Rejects_prorated_day_flags_that_are_not_31_characters() =>
        Reports("day-flags.format", "plan6", 2, "proratedDays", "111");

    [Fact]
    public void Rejects_prorated_day_flags_holding_another_digit_than_0_and_1() =>
        Reports("day-flags.format", "plan6", 2, "proratedDays", new string('1', 30) + "2");

    [Fact]
    public void Rejects_a_postal_code_without_its_hyphen_and_shows_only_its_shape()
    {
        var defect = Reports("field.postal-code", "supplement", 0, "postalCode", "0200001");

        Assert.Equal("9999999", defect.Value);
    }

    [Fact]
    public void Warns_when_the_unused_identifier_holds_a_value() =>
        Reports("field.unused", "plan6", 0, "identifier", "A", Severity.Warning);

    [Fact]
    public void Personal_fields_are_names_addresses_phones_free_text_insured_numbers_postal_codes_and_birth_dates()
    {
        var supplement = FileLayouts.ByKind("supplement")!;
        bool Personal(string field) => supplement.Fields.Single(f => f.EnName == field).IsPersonal;

        Assert.All(["name", "nameKana", "address1", "phone", "insuredNumber", "postalCode", "birthDate"], f => Assert.True(Personal(f), f));
        Assert.All(["insurerNumber", "targetYearMonth", "careLevel", "updaterOfficeCode"], f => Assert.False(Personal(f), f));
    }

    /// <summary>A value the field's format rejects, or null where any value of the right length is accepted (free text).</summary>
    static string? Invalid(FieldSpec field) => field.Format switch
    {
        FieldFormat.Date => "20250631",
        FieldFormat.YearMonth => "202500",
        FieldFormat.Time or FieldFormat.TimeOr9999 => "2400",
        FieldFormat.Digits => "x",
        FieldFormat.Integer => "1-",
        FieldFormat.NumberOneToNinetyNine => "0",
        FieldFormat.Decimal99 => "1.5",
        FieldFormat.OfficeNumber => "12345",
        FieldFormat.InsurerNumber => "12a456",
        FieldFormat.InsuredNumber => "A123456789",
        FieldFormat.Alphanumeric => "-",
        FieldFormat.Code => "?",
        FieldFormat.ServiceType => "ZZ",
        FieldFormat.ServiceCode => "1199",
        FieldFormat.DayFlags => "2",
        FieldFormat.PostalCode => "020_0001",
        _ => null,
    };

    public static TheoryData<string, string> CheckedFields => Expect.Fields(f => Invalid(f) is not null);

    [Theory]
    [MemberData(nameof(CheckedFields))]
    public void Rejects_a_value_outside_the_format_of_every_checked_field_of_every_kind_at_its_line_and_No(string kind, string field)
    {
        var file = StandardFiles.Valid(kind);
        var spec = file.Field(field);
        var row = file.Rows.Count - 1;
        file.Set(row, field, Invalid(spec)!);

        var report = file.Validate();

        Assert.Contains(report.Defects, d => (d.Line, d.Column, d.Field, d.Severity) == (file.LineOf(row), spec.No, spec.JaName, Severity.Error));
    }
}
