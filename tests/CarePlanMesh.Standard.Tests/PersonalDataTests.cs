namespace CarePlanMesh.Standard.Tests;

/// <summary>A defect report may be shown to the sender and kept with the submission: it never carries personal data.</summary>
public sealed class PersonalDataTests
{
    [Fact]
    public void A_report_on_broken_personal_fields_shows_their_shapes_and_nothing_else()
    {
        var unit = StandardFiles.SendUnit("monthly");
        var supplement = unit.File("supplement");
        var broken = new Dictionary<string, string>
        {
            ["insuredNumber"] = "K234567890",
            ["postalCode"] = "1500041",
            ["birthDate"] = "19401231X",
            ["phone"] = "03-1234-5678 (自宅・日中のみ)",
        };
        foreach (var (field, value) in broken)
            supplement.Set(0, field, value);
        supplement.Set(1, "name", "（架空）山田　花子");
        unit.File("plan6").Set(0, "insuredNumber", broken["insuredNumber"]);

        var report = unit.Validate();
        var json = System.Text.Encoding.UTF8.GetString(DefectReport.Serialize(report.Defects));

        foreach (var (field, value) in broken)
        {
            var defect = Assert.Single(report.Defects, d => d.File == supplement.Name && d.Column == supplement.Field(field).No);
            Assert.Equal(Expect.Shape(value), defect.Value);
            Assert.DoesNotContain(value, json, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("山田", json, StringComparison.Ordinal);
        Assert.Contains(report.Defects, d => d.Rule == "keys.supplement-user");
    }

    [Fact]
    public void A_name_holding_gaiji_is_located_by_line_and_character_only()
    {
        var file = StandardFiles.Valid("supplement").Set(1, "name", "（架空）髙橋　花子");
        var bytes = file.Content;
        var at = bytes.AsSpan().IndexOf(Ms932.Encoding.GetBytes("髙"));
        // 髙 exists in MS932 (NEC selected IBM extension); the same name with the user-defined 0xF040 instead is 外字.
        (bytes[at], bytes[at + 1]) = (0xF0, 0x40);

        var defect = Expect.Single(FileValidator.Validate(file.Name, bytes), "encoding.gaiji");

        Assert.Equal(file.LineOf(1), defect.Line);
        Assert.DoesNotContain("橋", defect.MessageJa + defect.MessageEn + defect.Value);
    }

    [Theory]
    [InlineData("花", "field.unused")]
    [InlineData("（架空）山田　花子", "field.length")]
    public void A_value_in_a_field_the_standard_does_not_use_shows_only_its_shape(string value, string rule)
    {
        // Nobody knows what a sender puts in 識別子, so it is treated as personal data.
        var defect = Expect.Single(StandardFiles.Valid("plan6").Set(0, "identifier", value).Validate(), rule);

        Assert.Equal(Expect.Shape(value), defect.Value);
        Expect.NotShown(value, defect);
    }
}
