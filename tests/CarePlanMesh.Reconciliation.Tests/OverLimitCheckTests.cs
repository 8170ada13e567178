using CarePlanMesh.Standard;

namespace CarePlanMesh.Reconciliation.Tests;

public sealed class OverLimitCheckTests
{
    static ValidationReport Check(StandardFile[] files)
    {
        (string Name, byte[] Content)[] pairs = [.. files.Select(f => f.Pair)];
        return OverLimitCheck.AddTo(StandardValidator.Validate(pairs, StandardFiles.CareOffice), pairs);
    }

    static StandardFile[] OverLimitPlan()
    {
        var plan = Months.Plan();
        var total = plan[1].Rows.FindIndex(r => r[plan[1].Layout.IndexOf("serviceCode")] == "999999");
        plan[1].Set(total, "categoryLimitWithinUnits", "16000").Set(total, "categoryLimitExcessUnits", "900");
        return plan;
    }

    [Fact]
    public void A_plan_over_a_users_limit_is_valid_with_a_warning_on_the_users_supplement_line_in_both_languages()
    {
        var plan = OverLimitPlan();

        var report = Check(plan);

        Assert.True(report.IsValid);
        Assert.Equal(1, report.WarningCount);
        Assert.Contains(OverLimitCheck.Rule, report.RuleIds);
        var warning = Assert.Single(report.Defects, d => d.Rule == OverLimitCheck.Rule);
        Assert.Equal((plan[2].Name, 1, 19, "区分支給限度基準額", Severity.Warning), (warning.File, warning.Line, warning.Column, warning.Field, warning.Severity));
        Assert.Contains("135単位超過", warning.MessageJa);
        Assert.Contains("(135 over)", warning.MessageEn);
        Assert.All(StandardFiles.Users, insured => Assert.DoesNotContain(insured, warning.MessageJa + warning.MessageEn));
    }

    [Fact]
    public void A_plan_within_every_users_limit_gets_no_warning()
    {
        var report = Check(Months.Plan());

        Assert.True(report.IsValid);
        Assert.Equal(0, report.WarningCount);
    }

    [Fact]
    public void A_unit_with_errors_or_without_its_supplement_is_left_as_it_is()
    {
        var plan = OverLimitPlan();
        plan[0].Set(0, "serviceDate", "20250732");

        Assert.DoesNotContain(OverLimitCheck.Rule, Check(plan).RuleIds);
        Assert.DoesNotContain(OverLimitCheck.Rule, Check([.. OverLimitPlan().Take(2)]).RuleIds);
    }
}
