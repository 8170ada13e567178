namespace CarePlanMesh.Standard.Tests;

/// <summary>Bundle-level rules: the files sharing a 連番 form a legal send unit, keys tie up, the sender is the caller.</summary>
public sealed class SendUnitRuleTests
{
    static (string Name, byte[] Content)[] Monthly() => StandardFiles.SendUnits()["monthly"];

    static Defect Single(ValidationReport report, string rule) => Assert.Single(report.Defects, d => d.Rule == rule);

    [Fact]
    public void A_plan_without_its_table7_and_supplement_is_incomplete_and_names_what_is_missing()
    {
        var report = StandardValidator.Validate([Monthly()[0]], StandardFiles.CareOffice);

        var defect = Single(report, "send-unit.incomplete");
        Assert.Contains("UPSIKYU", defect.MessageEn);
        Assert.Contains("UPHOSOKU", defect.MessageJa);
    }

    [Fact]
    public void A_delete_file_travels_alone()
    {
        var report = StandardValidator.Validate([.. Monthly(), StandardFiles.File("plan6Delete")], StandardFiles.CareOffice);

        Assert.Equal(StandardFiles.Name("plan6Delete"), Single(report, "send-unit.unexpected-file").File);
    }

    [Fact]
    public void Two_files_of_one_kind_are_refused()
    {
        // The same 第6表 once under its v4 name and once under its v3 name: same unit, same kind.
        var plan = Monthly()[0];
        var v3Name = plan.Name.Replace("_43_", "_").Replace("_11_", "_");

        var report = StandardValidator.Validate([.. Monthly(), (v3Name, plan.Content)], StandardFiles.CareOffice);

        Assert.Equal(v3Name, Single(report, "send-unit.duplicate-kind").File);
    }

    [Fact]
    public void Files_of_different_serials_or_months_are_not_one_unit()
    {
        var files = Monthly();
        files[1] = StandardFiles.File("table7", "20250601090001");
        files[2] = StandardFiles.File("supplement", month: "202507");

        var report = StandardValidator.Validate(files, StandardFiles.CareOffice);

        Assert.Equal(files[1].Name, Single(report, "send-unit.mixed").File);
        Single(report, "send-unit.month");
    }

    [Fact]
    public void The_supplement_month_must_fit_the_unit()
    {
        var files = Monthly();
        files[2] = StandardFiles.File("supplement", month: "000000");

        Assert.Equal(files[2].Name, Single(StandardValidator.Validate(files, StandardFiles.CareOffice), "send-unit.supplement-month").File);
    }

    [Fact]
    public void A_v4_plan_unit_without_table3_gets_a_warning()
    {
        var plan = StandardFiles.SendUnits()["plan"].Where(f => !f.Name.StartsWith("UP3KYO", StringComparison.Ordinal)).ToArray();

        var report = StandardValidator.Validate(plan, StandardFiles.CareOffice);

        Assert.True(report.IsValid);
        Assert.Equal(Severity.Warning, Single(report, "send-unit.table3-missing").Severity);
    }

    [Fact]
    public void Table7_and_supplement_users_must_be_the_table6_users()
    {
        var files = Monthly();
        files[1] = StandardFiles.File("table7", insured: ["1234567890", "2234567890"]);
        files[2] = StandardFiles.File("supplement", insured: ["9234567890"]);

        var report = StandardValidator.Validate(files, StandardFiles.CareOffice);

        Assert.Contains("1 not in", Single(report, "keys.table7-user").MessageEn);
        Assert.Contains("1 of 第6表 missing", Single(report, "keys.supplement-user").MessageEn);
    }

    [Fact]
    public void Table2_rows_must_belong_to_a_table1_row()
    {
        var plan = StandardFiles.SendUnits()["plan"];
        var rows = StandardFiles.Records("table2");
        rows[0][4] = "20250401";
        plan[1] = (plan[1].Name, StandardFiles.Encode(rows));

        Assert.Equal(plan[1].Name, Single(StandardValidator.Validate(plan, StandardFiles.CareOffice), "keys.plan-row").File);
    }

    [Fact]
    public void The_sender_in_the_names_must_be_the_authenticated_office()
    {
        var report = StandardValidator.Validate(Monthly(), authenticatedOffice: "0300000007");

        Assert.Equal(3, report.Defects.Count(d => d.Rule == "file-name.sender"));
    }

    [Fact]
    public void Offline_nobody_is_authenticated_and_the_sender_is_not_judged()
    {
        Assert.True(StandardValidator.Validate(Monthly(), authenticatedOffice: null).IsValid);
    }
}
