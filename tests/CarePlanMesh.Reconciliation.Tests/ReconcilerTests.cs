using CarePlanMesh.Standard;

namespace CarePlanMesh.Reconciliation.Tests;

public sealed class ReconcilerTests
{
    static readonly string First = StandardFiles.Users[0];

    [Fact]
    public void An_actual_that_delivers_the_plan_has_no_difference()
    {
        var result = Months.Compare(Months.Plan(), Months.Actual());

        Assert.Empty(result.Differences);
        Assert.Empty(result.OverLimit);
        Assert.Equal((2, 2, 0, 0), (result.Summary.UsersCompared, result.Summary.UsersMatched, result.Summary.UsersWithDifferences, result.Summary.UsersOverLimit));
        Assert.All(result.Summary.Differences.Values, count => Assert.Equal(0, count));
    }

    [Fact]
    public void A_plan_that_lists_several_providers_counts_only_the_rows_of_the_provider_compared()
    {
        var plan = Months.Plan();
        // The 予定 lists the 福祉用具 provider's rentals too; the 訪問介護 provider's 実績 has no reason to show them.
        Assert.Contains(plan[0].Rows, r => r[plan[0].Layout.IndexOf("providerOfficeNumber")] == StandardFiles.EquipmentProvider);

        Assert.Empty(Months.Compare(plan, Months.Actual()).Differences);
        var equipment = Months.Compare(plan, Months.Actual(), StandardFiles.EquipmentProvider);
        Assert.Equal(4, equipment.Differences.Count(d => d.Kind == DifferenceKind.NotDelivered));
        Assert.Equal(4, equipment.Summary.Differences[DifferenceKind.NotPlanned]);
    }

    [Fact]
    public void A_planned_visit_missing_from_the_actual_is_not_delivered()
    {
        var actual = Months.Actual();
        actual.Rows.RemoveAt(1);

        var difference = Assert.Single(Months.Compare(Months.Plan(), actual).Differences);
        Assert.Equal(new Difference(Months.Key(First), DifferenceKind.NotDelivered, StandardFiles.Month + "09", "119902", PlanLine: 2, PlanCount: 1), difference);
    }

    [Fact]
    public void A_delivered_visit_missing_from_the_plan_is_not_planned()
    {
        var actual = Months.Actual();
        var extra = (string[])actual.Rows[0].Clone();
        actual.Rows.Insert(2, extra);
        actual.Set(2, "serviceDate", StandardFiles.Month + "16");

        var difference = Assert.Single(Months.Compare(Months.Plan(), actual).Differences);
        Assert.Equal(new Difference(Months.Key(First), DifferenceKind.NotPlanned, StandardFiles.Month + "16", ActualServiceCode: "119901", ActualLine: 3, ActualCount: 1), difference);
    }

    [Fact]
    public void A_visit_delivered_under_another_service_code_is_told_apart()
    {
        var actual = Months.Actual().Set(0, "serviceCode", "112111");

        var difference = Assert.Single(Months.Compare(Months.Plan(), actual).Differences);
        Assert.Equal((DifferenceKind.DifferentServiceCode, "119901", "112111", 1, 1),
            (difference.Kind, difference.PlanServiceCode, difference.ActualServiceCode, difference.PlanLine, difference.ActualLine));
    }

    [Theory]
    [InlineData("endTime", "1000")]
    [InlineData("startTime", "0830")]
    [InlineData("units", "300")]
    public void A_visit_at_other_times_or_with_other_units_is_told_apart(string field, string value)
    {
        var actual = Months.Actual().Set(2, field, value);

        var difference = Assert.Single(Months.Compare(Months.Plan(), actual).Differences);
        Assert.Equal((Months.Key(StandardFiles.Users[1]), DifferenceKind.DifferentTimesOrUnits, "119901", 5, 3),
            (difference.UserKey, difference.Kind, difference.PlanServiceCode, difference.PlanLine, difference.ActualLine));
    }

    [Fact]
    public void Different_counts_of_a_service_code_are_told_apart()
    {
        var actual = Months.Actual().Set(1, "count", "2");

        var difference = Assert.Single(Months.Compare(Months.Plan(), actual).Differences);
        Assert.Equal((DifferenceKind.DifferentCounts, "119902", 1, 2), (difference.Kind, difference.PlanServiceCode, difference.PlanCount, difference.ActualCount));
    }

    [Fact]
    public void A_user_in_the_actual_without_a_plan_is_listed_once()
    {
        var result = Months.Compare(Months.Plan(), Months.Actual(StandardFiles.Serial, [.. StandardFiles.Users, "2222222222"]));

        var difference = Assert.Single(result.Differences);
        Assert.Equal(new Difference(Months.Key("2222222222"), DifferenceKind.UserWithoutPlan, ActualLine: 5), difference);
        Assert.Equal((3, 2, 1), (result.Summary.UsersCompared, result.Summary.UsersMatched, result.Summary.UsersWithDifferences));
    }

    [Fact]
    public void A_user_planned_over_the_category_limit_is_flagged_with_the_units_over()
    {
        var plan = Months.Plan();
        // The first user's grand-total row (第7表 No.7 9999999999): 16,000 within and 900 over the 16,765 of 要介護1.
        var total = plan[1].Rows.FindIndex(r => r[plan[1].Layout.IndexOf("serviceCode")] == "999999");
        plan[1].Set(total, "categoryLimitWithinUnits", "16000").Set(total, "categoryLimitExcessUnits", "900");

        var result = Months.Compare(plan, Months.Actual());

        var over = Assert.Single(result.OverLimit);
        Assert.Equal((Months.Key(First), "21", 16765, 16900, 135, 900), (over.UserKey, over.CareLevel, over.LimitUnits, over.SubjectUnits, over.OverUnits, over.StatedExcessUnits));
        Assert.Equal(1, result.Summary.UsersOverLimit);
        Assert.Single(Reconciler.OverLimit(Months.Facts(plan).Limits));
    }

    [Fact]
    public void Facts_carry_a_keyed_pseudonym_and_no_insured_number_name_or_free_text()
    {
        var plan = Months.Plan();
        var facts = Months.Facts(plan);
        var json = System.Text.Encoding.UTF8.GetString(FactsJson.Serialize(facts));

        Assert.Equal(Months.Key(First), facts.Services[0].UserKey);
        Assert.NotEqual(new Pseudonyms(new byte[32]).Of(StandardFiles.Insurer, First), facts.Services[0].UserKey);
        foreach (var secret in (string[])[.. StandardFiles.Users, StandardFiles.Insurer, "（架空）", "カイゴ"])
            Assert.DoesNotContain(secret, json);
    }

    [Fact]
    public void Delete_units_name_the_users_they_withdraw()
    {
        var delete = Months.Facts(StandardFiles.Valid("plan6Delete"));

        Assert.Equal(FactKinds.PlanDelete, delete.Kind);
        Assert.Equal(StandardFiles.Users.Select(Months.Key), delete.DeletedUsers);
        Assert.Equal(FactKinds.ActualDelete, Months.Facts(StandardFiles.Valid("actual6Delete")).Kind);
    }
}
