namespace CarePlanMesh.Standard.Tests;

/// <summary>Every file kind and every send unit of the standard, written the way the spec asks, passes without a defect.</summary>
public sealed class ValidFilesTests
{
    public static TheoryData<string> Kinds => [.. StandardFiles.CsvKinds];

    public static TheoryData<string> Units => [.. StandardFiles.SendUnits().Keys];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_valid_file_of_every_kind_has_no_defect(string kind)
    {
        var month = kind == "supplement" ? "000000" : StandardFiles.Month;
        var (name, content) = StandardFiles.File(kind, month: month, insured: ["1234567890", "H123456789"]);

        var report = FileValidator.Validate(name, content);

        Assert.Empty(report.Defects);
        Assert.Equal(kind, report.Name?.Layout.Kind);
        Assert.Equal(kind == "table7" ? 4 : 2, report.RecordCount);
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void Every_legal_send_unit_validates_as_a_whole(string unit)
    {
        var files = StandardFiles.SendUnits()[unit];
        var sender = StandardFiles.FromProvider(FileLayouts.All.First(l => files[0].Name.StartsWith(l.Prefix + "_", StringComparison.Ordinal)).Kind)
            ? StandardFiles.Provider : StandardFiles.CareOffice;

        var report = StandardValidator.Validate(files, sender);

        Assert.True(report.IsValid, string.Join("\n", report.Defects));
        Assert.Equal(0, report.WarningCount);
    }
}
