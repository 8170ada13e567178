namespace CarePlanMesh.Standard.Tests;

/// <summary>Send-unit rules: the files sharing a 連番 form a legal unit, their keys tie up, and the sender is the caller.</summary>
public sealed class SendUnitRuleTests
{
    static ValidationReport Validate(IEnumerable<StandardFile> files, string sender = StandardFiles.CareOffice, ValidationPolicy? policy = null) =>
        StandardValidator.Validate([.. files.Select(f => f.Pair)], sender, policy);

    static List<StandardFile> Unit(string shape) => [.. StandardFiles.SendUnit(shape).Files];

    [Fact]
    public void Rejects_every_file_whose_sender_is_not_the_authenticated_office()
    {
        var unit = Unit("monthly");

        var report = Validate(unit, sender: StandardFiles.EquipmentProvider);

        var defects = report.Defects.Where(d => d.Rule == "file-name.sender").ToList();
        Assert.Equal(unit.Select(f => f.Name).Order(), defects.Select(d => d.File).Order());
        Assert.All(defects, d => Assert.Contains(StandardFiles.EquipmentProvider, d.MessageEn));
    }

    [Fact]
    public void Does_not_judge_the_sender_offline_where_nobody_is_authenticated()
    {
        var report = StandardValidator.Validate(StandardFiles.SendUnit("actual6").ToArray(), authenticatedOffice: null);

        Assert.Empty(report.Defects);
    }

    [Fact]
    public void Rejects_a_send_unit_without_any_file()
    {
        var report = Validate([]);

        Assert.False(report.IsValid);
        Assert.Equal(Severity.Error, Expect.Single(report, "send-unit.empty").Severity);
    }

    [Fact]
    public void Rejects_a_file_of_another_serial_as_a_mix_of_send_units()
    {
        var unit = Unit("monthly");
        unit[1] = StandardFiles.Valid("table7", serial: "20250601090001");

        Assert.Equal(unit[1].Name, Expect.Single(Validate(unit), "send-unit.mixed").File);
    }

    [Fact]
    public void Rejects_a_file_for_another_recipient_as_a_mix_of_send_units()
    {
        var unit = Unit("monthly");
        unit[2].Name = unit[2].Name.Replace($"_{StandardFiles.Provider}_", $"_{StandardFiles.EquipmentProvider}_");

        Assert.Equal(unit[2].Name, Expect.Single(Validate(unit), "send-unit.mixed").File);
    }

    [Fact]
    public void Rejects_a_unit_whose_files_name_different_months()
    {
        var unit = Unit("monthly");
        unit[2] = StandardFiles.Valid("supplement", "202507");

        var defect = Expect.Single(Validate(unit), "send-unit.month");

        Assert.Contains("202506", defect.MessageEn);
        Assert.Contains("202507", defect.MessageEn);
    }

    [Fact]
    public void Rejects_two_files_of_one_kind_in_one_unit()
    {
        var unit = Unit("monthly");
        var second = unit[0].Clone();
        second.Name = StandardFiles.Name("plan6", v3: true);
        unit.Add(second);

        Assert.Equal(second.Name, Expect.Single(Validate(unit), "send-unit.duplicate-kind").File);
    }

    [Fact]
    public void Accepts_several_family_images_in_one_basic_information_unit()
    {
        var unit = StandardFiles.SendUnit("yoboBasicWithImage");
        var files = unit.ToArray().Append((StandardFiles.ImageName(branch: "0002"), StandardFiles.Jpeg)).ToArray();

        Assert.Empty(StandardValidator.Validate(files, unit.Sender).Defects);
    }

    [Fact]
    public void Rejects_a_table6_plan_without_its_table7_and_supplement_and_names_what_is_missing()
    {
        var report = Validate(Unit("monthly").Take(1));

        var defect = Expect.Single(report, "send-unit.incomplete");
        Assert.Contains("UPSIKYU", defect.MessageEn);
        Assert.Contains("UPHOSOKU", defect.MessageJa);
    }

    [Fact]
    public void Rejects_a_plan_without_its_table2()
    {
        var report = Validate(Unit("plan").Where(f => f.Kind != "table2"));

        Assert.Contains("UP2KYO", Expect.Single(report, "send-unit.incomplete").MessageEn);
    }

    [Fact]
    public void Rejects_a_delete_file_sent_with_the_monthly_unit()
    {
        var delete = StandardFiles.Valid("plan6Delete");

        var report = Validate([.. Unit("monthly"), delete]);

        Assert.Equal(delete.Name, Expect.Single(report, "send-unit.unexpected-file").File);
    }

    [Fact]
    public void Rejects_a_monthly_supplement_in_a_plan_unit()
    {
        var unit = Unit("plan");
        var supplement = unit.FindIndex(f => f.Kind == "supplement");
        unit[supplement] = StandardFiles.Valid("supplement", StandardFiles.Month);

        var report = Validate(unit);

        Assert.Equal(unit[supplement].Name, Expect.Single(report, "send-unit.supplement-month").File);
    }

    [Fact]
    public void Rejects_a_plan_supplement_in_a_monthly_unit()
    {
        var unit = Unit("monthly");
        var supplement = unit.FindIndex(f => f.Kind == "supplement");
        unit[supplement] = StandardFiles.Valid("supplement", StandardFiles.PlanMonth);

        var report = Validate(unit);

        Assert.Equal(unit[supplement].Name, Expect.Single(report, "send-unit.supplement-month").File);
    }

    [Fact]
    public void Warns_about_a_v4_plan_unit_without_table3()
    {
        var report = Validate(Unit("plan").Where(f => f.Kind != "table3"));

        Assert.Equal(Severity.Warning, Expect.Single(report, "send-unit.table3-missing").Severity);
        Assert.True(report.IsValid);
    }

    [Fact]
    public void Accepts_a_v3_plan_unit_without_table3_which_v3_did_not_have()
    {
        var unit = Unit("plan").Where(f => f.Kind != "table3").ToList();
        unit.ForEach(f => f.Name = StandardFiles.Name(f.Kind, month: f.Kind == "supplement" ? StandardFiles.PlanMonth : StandardFiles.Month, v3: true));

        var report = Validate(unit);

        Assert.DoesNotContain(report.Defects, d => d.Rule == "send-unit.table3-missing");
        Assert.All(report.Defects, d => Assert.Equal("file-name.v3", d.Rule));
    }

    [Fact]
    public void Rejects_a_table7_with_a_user_who_is_not_on_table6()
    {
        var unit = Unit("monthly");
        unit[1] = StandardFiles.Valid("table7", users: [.. StandardFiles.Users, "2234567890"]);

        var report = Validate(unit);

        var defect = Expect.Single(report, "keys.table7-user");
        Assert.Equal(unit[1].Name, defect.File);
        Assert.Contains("1 not in", defect.MessageEn);
        Assert.All(report.Defects, d => Expect.NotShown("2234567890", d));
    }

    [Fact]
    public void Rejects_a_supplement_missing_a_user_of_table6()
    {
        var unit = Unit("monthly");
        unit[2] = StandardFiles.Valid("supplement", StandardFiles.Month, users: [StandardFiles.Users[0]]);

        var defect = Expect.Single(Validate(unit), "keys.supplement-user");

        Assert.Contains("1 of 第6表 missing", defect.MessageEn);
        Assert.DoesNotContain(StandardFiles.Users[1], defect.MessageEn + defect.MessageJa);
    }

    static string KindsOf(IEnumerable<(string Name, byte[] Content)> files) =>
        string.Join("+", files.Select(f => StandardFileName.Parse(f.Name, [])!.Layout.Kind).Distinct().Order(StringComparer.Ordinal));

    [Fact]
    public void Any_part_or_pair_of_legal_units_is_valid_exactly_when_its_kinds_are_a_legal_unit()
    {
        var units = StandardFiles.SendUnits();
        // A plan unit without 第3表 is legal with a warning (policy MissingTable3).
        var legal = units.Select(u => KindsOf(u.ToArray())).Append("supplement+table1+table2").ToHashSet();
        legal.UnionWith(units.Where(u => u.Extra.Count > 0).Select(u => KindsOf(u.ToArray().Where(f => f.Name.EndsWith(".CSV", StringComparison.Ordinal)))));
        var combinations = units.SelectMany(u => Subsets(u.ToArray()).Select(files => (u.Sender, files)))
            .Concat(units.SelectMany(a => units.Where(b => b.Sender == a.Sender && b.Shape != a.Shape).Select(b => (a.Sender, files: a.ToArray().Concat(b.ToArray()).DistinctBy(f => f.Name).ToArray()))))
            .ToList();

        foreach (var (sender, files) in combinations)
        {
            var report = StandardValidator.Validate(files, sender);
            var kinds = KindsOf(files);
            Assert.True(legal.Contains(kinds) == report.IsValid, $"{kinds}: {(report.IsValid ? "valid" : Expect.Describe(report.Defects))}");
            if (!report.IsValid)
                Assert.Contains(report.Defects, d => d.Rule.StartsWith("send-unit.", StringComparison.Ordinal) || d.Rule.StartsWith("keys.", StringComparison.Ordinal));
        }
        Assert.True(combinations.Count > 200, $"{combinations.Count} combinations");
    }

    static IEnumerable<(string Name, byte[] Content)[]> Subsets((string Name, byte[] Content)[] files) =>
        Enumerable.Range(1, (1 << files.Length) - 1).Select(mask => files.Where((_, i) => (mask & 1 << i) != 0).ToArray());

    public static TheoryData<string, string> ChildKinds => new()
    {
        { "plan", "table2" },
        { "plan", "table3" },
        { "plan", "supplement" },
        { "yoboBasic", "yoboBasicSub1" },
        { "yoboBasic", "yoboBasicSub2" },
        { "yoboPlan", "yoboPlanSub" },
    };

    [Theory]
    [MemberData(nameof(ChildKinds))]
    public void Rejects_rows_of_a_child_file_whose_plan_key_has_no_parent_row(string shape, string child)
    {
        var unit = Unit(shape);
        var file = unit.Single(f => f.Kind == child);
        var key = file.Layout.IndexOf("planCreatedOrChangedDate") >= 0 ? "planCreatedOrChangedDate" : "consultationDate";
        file.SetAll(key, "20250401");

        var defect = Expect.Single(Validate(unit), "keys.plan-row");

        Assert.Equal(file.Name, defect.File);
        Assert.Contains($"{StandardFiles.Users.Length} keys", defect.MessageEn);
    }
}
