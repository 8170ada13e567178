namespace CarePlanMesh.Standard.Tests;

/// <summary>Record and file rules of one kind: month, service dates, 補足 plan date, 福祉用具, direction, CSV version, 第7表 totals.</summary>
public sealed class RecordRuleTests
{
    static Defect Reports(StandardFile file, string rule, int row, string field, string value, Severity severity = Severity.Error)
    {
        file.Set(row, field, value);
        return Expect.FieldDefect(file.Validate(), rule, file.LineOf(row), file.Field(field), value, severity);
    }

    [Fact]
    public void Rejects_a_plan_row_of_another_month_than_the_file_name()
    {
        var defect = Reports(StandardFiles.Valid("plan6"), "record.month", 1, "targetYearMonth", "202507");

        Assert.Contains(StandardFiles.Month, defect.MessageEn);
    }

    [Fact]
    public void Rejects_a_withdrawal_of_another_month_than_the_file_name() =>
        Reports(StandardFiles.Valid("plan6Delete"), "record.month", 1, "deleteYearMonth", "202505");

    [Fact]
    public void Rejects_a_monthly_supplement_whose_target_month_is_the_plan_placeholder() =>
        Reports(StandardFiles.Valid("supplement", StandardFiles.Month), "record.month", 0, "targetYearMonth", StandardFiles.PlanMonth);

    [Fact]
    public void Rejects_a_service_date_outside_the_service_month() =>
        Reports(StandardFiles.Valid("actual6"), "record.service-date-month", 1, "serviceDate", "20250702");

    [Fact]
    public void Rejects_a_monthly_supplement_that_carries_a_plan_date() =>
        Reports(StandardFiles.Valid("supplement", StandardFiles.Month), "supplement.plan-date", 1, "planCreatedOrChangedDate", StandardFiles.PlanDate);

    [Fact]
    public void Rejects_a_plan_supplement_whose_plan_date_is_the_monthly_placeholder() =>
        Reports(StandardFiles.Valid("supplement", StandardFiles.PlanMonth), "supplement.plan-date", 0, "planCreatedOrChangedDate", "00000000");

    [Fact]
    public void Rejects_00000000_as_a_date_anywhere_but_the_supplements_plan_date() =>
        Reports(StandardFiles.Valid("table1"), "field.date", 0, "planCreatedOrChangedDate", "00000000");

    [Fact]
    public void Rejects_a_welfare_equipment_rental_without_a_tais_or_notified_code()
    {
        var file = StandardFiles.Valid("plan6");
        var rental = file.Rows.FindIndex(r => r[file.Layout.IndexOf("serviceCode")].StartsWith("17", StringComparison.Ordinal));

        Reports(file, "equipment.code-missing", rental, "taisCode", "");
    }

    [Fact]
    public void Rejects_a_table7_rental_row_without_a_tais_or_notified_code()
    {
        var file = StandardFiles.Valid("table7");
        var rental = file.Rows.FindIndex(r => r[file.Layout.IndexOf("serviceCode")].StartsWith("17", StringComparison.Ordinal));

        Reports(file, "equipment.code-missing", rental, "taisCode", "");
    }

    [Fact]
    public void Rejects_a_preventive_equipment_rental_67_without_a_tais_or_notified_code()
    {
        var file = StandardFiles.Valid("plan6").Set(0, "serviceCode", "679901");

        Expect.FieldDefect(file.Validate(), "equipment.code-missing", 1, file.Field("taisCode"), "");
    }

    [Fact]
    public void Accepts_a_preventive_equipment_rental_67_with_its_tais_code_and_discriminator()
    {
        var file = StandardFiles.Valid("plan6").Set(0, "serviceCode", "679901").Set(0, "taisCode", StandardFiles.TaisCode).Set(0, "detailDiscriminator", "1");

        Assert.Empty(file.Validate().Defects);
    }

    [Fact]
    public void Accepts_a_rental_identified_by_its_notified_code_alone()
    {
        var file = StandardFiles.Valid("plan6");
        var rental = file.Rows.FindIndex(r => r[file.Layout.IndexOf("serviceCode")].StartsWith("17", StringComparison.Ordinal));
        file.Set(rental, "taisCode", "").Set(rental, "equipmentNotifiedCode", "T-000123");

        Assert.Empty(file.Validate().Defects);
    }

    [Fact]
    public void Rejects_a_detail_discriminator_on_a_home_help_row() =>
        Reports(StandardFiles.Valid("plan6"), "equipment.discriminator", 0, "detailDiscriminator", "1");

    [Fact]
    public void Rejects_a_plan_updated_by_another_office_than_the_sender()
    {
        var defect = Reports(StandardFiles.Valid("plan6"), "direction.updater", 0, "updaterOfficeCode", StandardFiles.EquipmentProvider);

        Assert.Contains(StandardFiles.CareOffice, defect.MessageEn);
    }

    [Fact]
    public void Rejects_actuals_whose_updater_is_the_care_office() =>
        Reports(StandardFiles.Valid("actual6"), "direction.updater", 0, "updaterOfficeCode", StandardFiles.CareOffice);

    [Fact]
    public void Rejects_actuals_of_another_provider_than_the_sender() =>
        Reports(StandardFiles.Valid("actual6"), "direction.provider", 1, "providerOfficeNumber", StandardFiles.EquipmentProvider);

    [Fact]
    public void Rejects_a_withdrawal_of_another_providers_actuals() =>
        Reports(StandardFiles.Valid("actual6Delete"), "direction.provider", 0, "providerOfficeNumber", StandardFiles.EquipmentProvider);

    [Fact]
    public void Rejects_a_second_csv_version_in_one_file_at_the_record_that_changes_it()
    {
        var file = StandardFiles.Valid("plan6");

        var defect = Reports(file, "csv-version.mixed", 2, "csvVersion", "202504");

        Assert.Contains(StandardFiles.CsvVersion, defect.MessageEn);
    }

    [Fact]
    public void An_empty_first_version_is_one_defect_and_not_a_mix_with_every_later_record()
    {
        var file = StandardFiles.Valid("plan6").Set(0, "csvVersion", "");

        var report = file.Validate();

        Expect.FieldDefect(report, "field.required", 1, file.Field("csvVersion"), "");
        Assert.DoesNotContain(report.Defects, d => d.Rule.StartsWith("csv-version", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_a_csv_version_outside_the_standards_table()
    {
        var file = StandardFiles.Valid("plan6").SetAll("csvVersion", "202410");

        var defect = Expect.FieldDefect(file.Validate(), "csv-version.unknown", 1, file.Field("csvVersion"), "202410");

        Assert.All(FileLayouts.CsvVersions, v => Assert.Contains(v.Value, defect.MessageEn));
    }

    [Fact]
    public void Warns_when_the_csv_version_is_not_the_one_in_force_for_the_service_month()
    {
        var file = StandardFiles.Valid("plan6").SetAll("csvVersion", "202208");

        var defect = Expect.FieldDefect(file.Validate(), "csv-version.month", 1, file.Field("csvVersion"), "202208", Severity.Warning);

        Assert.Equal(["202504", "202407"], RecordRules.InForce(StandardFiles.Month).Order().Reverse());
        Assert.All(RecordRules.InForce(StandardFiles.Month), v => Assert.Contains(v, defect.MessageEn));
    }

    [Theory]
    [InlineData("202002", new string[0])]
    [InlineData("202003", new[] { "201910" })]
    [InlineData("202212", new[] { "202003" })]
    [InlineData("202306", new[] { "202208" })]
    [InlineData("202504", new[] { "202504", "202407" })]
    public void The_version_in_force_follows_the_service_month(string month, string[] versions) =>
        Assert.Equal(versions.Order(), RecordRules.InForce(month).Order());

    [Fact]
    public void Accepts_both_v4_versions_for_months_from_april_2025()
    {
        Assert.Empty(StandardFiles.Valid("plan6").SetAll("csvVersion", "202504").Validate().Defects);
        Assert.Empty(StandardFiles.Valid("plan6").SetAll("csvVersion", "202407").Validate().Defects);
    }

    static int TotalRow(StandardFile file, int user = 0) =>
        file.Rows.Select((r, i) => (r, i)).Where(x => x.r[file.Layout.IndexOf("serviceCode")] == "999999").ElementAt(user).i;

    static int SubtotalRow(StandardFile file) =>
        file.Rows.FindIndex(r => r[file.Layout.IndexOf("serviceCode")].EndsWith("AAAA", StringComparison.Ordinal));

    [Fact]
    public void Rejects_a_grand_total_row_marked_only_by_its_service_code()
    {
        var file = StandardFiles.Valid("table7");
        var total = TotalRow(file);
        file.Set(total, "providerOfficeNumber", StandardFiles.Provider);

        // The rule points at the service code of the half-marked row.
        Expect.FieldDefect(file.Validate(), "table7.total-row", file.LineOf(total), file.Field("serviceCode"), "999999");
    }

    [Fact]
    public void Rejects_a_grand_total_row_marked_only_by_its_office_number()
    {
        var file = StandardFiles.Valid("table7");
        var total = TotalRow(file);
        file.Set(total, "serviceCode", "119901");

        Expect.FieldDefect(file.Validate(), "table7.total-row", file.LineOf(total), file.Field("serviceCode"), "119901");
    }

    [Fact]
    public void Rejects_units_on_the_grand_total_row()
    {
        var file = StandardFiles.Valid("table7");

        Reports(file, "table7.subtotal-units", TotalRow(file), "units", "550");
    }

    [Fact]
    public void Rejects_a_discount_rate_on_a_subtotal_row()
    {
        var file = StandardFiles.Valid("table7");

        Reports(file, "table7.subtotal-discount", SubtotalRow(file), "discountRate", "90");
    }

    [Fact]
    public void Rejects_discounted_units_on_the_grand_total_row()
    {
        var file = StandardFiles.Valid("table7");

        Reports(file, "table7.subtotal-discount", TotalRow(file, 1), "discountedUnits", "495");
    }

    [Fact]
    public void Rejects_a_user_without_a_grand_total_row_at_the_users_first_line()
    {
        var file = StandardFiles.Valid("table7");
        var secondUser = TotalRow(file) + 1;
        file.Rows.RemoveAt(TotalRow(file, 1));

        var defect = Expect.Single(file.Validate(), "table7.total-count");

        Assert.Equal((file.LineOf(secondUser), (int?)null), (defect.Line, defect.Column));
        Assert.Contains(" 0 ", defect.MessageEn);
    }

    [Fact]
    public void Rejects_a_user_with_two_grand_total_rows()
    {
        var file = StandardFiles.Valid("table7");
        file.Rows.Insert(TotalRow(file), (string[])file.Rows[TotalRow(file)].Clone());

        var defect = Expect.Single(file.Validate(), "table7.total-count");

        Assert.Equal(file.LineOf(0), defect.Line);
        Assert.Contains(" 2 ", defect.MessageEn);
    }

    [Fact]
    public void Rejects_a_service_type_with_several_codes_but_no_AAAA_subtotal()
    {
        var file = StandardFiles.Valid("table7");
        file.Rows.RemoveAt(SubtotalRow(file));

        var defect = Expect.Single(file.Validate(), "table7.subtotal-missing");

        Assert.Equal(file.LineOf(0), defect.Line);
        Assert.Contains("11AAAA", defect.MessageEn);
    }

    [Fact]
    public void Accepts_a_service_type_with_one_code_and_no_subtotal()
    {
        var file = StandardFiles.Valid("table7");
        var codes = file.Rows.Select(r => r[file.Layout.IndexOf("serviceCode")]).ToList();

        Assert.Contains("179901", codes);
        Assert.DoesNotContain("17AAAA", codes);
        Assert.Empty(file.Validate().Defects);
    }

    [Fact]
    public void Reports_records_after_a_quoted_line_break_at_the_line_they_start_on()
    {
        var file = StandardFiles.Valid("table1");

        // Row 0 holds a quoted line break: row 1 starts on line 3.
        Reports(file, "field.date", 1, "firstPlanDate", "20240431");
        Assert.Equal(3, file.LineOf(1));
    }
}
