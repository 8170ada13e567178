namespace CarePlanMesh.Standard.Tests;

public class FileNameTests
{
    [Fact]
    public void Reads_every_part_of_a_v4_plan_file_name()
    {
        var defects = new List<Defect>();
        var name = StandardFileName.Parse(SampleFiles.Plan, defects);

        Assert.NotNull(name);
        Assert.Empty(defects);
        Assert.Equal("plan6", name.Layout.Kind);
        Assert.Equal("202506", name.Month);
        Assert.Equal("0300000100", name.SenderOffice);
        Assert.Equal("43", name.SenderServiceType);
        Assert.Equal("0300000005", name.RecipientOffice);
        Assert.Equal("11", name.RecipientServiceType);
        Assert.Equal("20250525103000", name.SendUnit);
    }

    [Fact]
    public void Accepts_a_v3_name_without_service_types_with_a_warning()
    {
        var defects = new List<Defect>();
        var name = StandardFileName.Parse("UPPLAN_201912_0300000100_0300000005_20191025200201.CSV", defects);

        Assert.NotNull(name);
        Assert.True(name.IsLegacyV3);
        Assert.Equal("0300000005", name.RecipientOffice);
        var warning = Assert.Single(defects);
        Assert.Equal(("file-name.v3", Severity.Warning), (warning.Rule, warning.Severity));
    }

    [Theory]
    [InlineData("UPPLAN_202506_030000010_43_0300000005_11_20250525103000.CSV")] // nine-digit office number
    [InlineData("UPPLAN_0300000100_43_0300000005_11_20250525103000.CSV")] // month part missing
    [InlineData("UP1KYO_202506_0300000100_43_0300000005_11_20250525103000.CSV")] // month part where none belongs
    [InlineData("upplan_202506_0300000100_43_0300000005_11_20250525103000.csv")] // lower case
    [InlineData("plan.csv")]
    public void Rejects_names_outside_the_naming_rule(string file)
    {
        var defects = new List<Defect>();

        Assert.Null(StandardFileName.Parse(file, defects));
        Assert.Equal("file-name.pattern", Assert.Single(defects).Rule);
    }

    [Fact]
    public void Rejects_a_serial_that_is_not_a_real_date()
    {
        var defects = new List<Defect>();
        StandardFileName.Parse("UPPLAN_202506_0300000100_43_0300000005_11_20250231103000.CSV", defects);

        Assert.Equal("file-name.serial-date", Assert.Single(defects).Rule);
    }

    [Fact]
    public void Rejects_a_month_that_does_not_exist()
    {
        var defects = new List<Defect>();
        StandardFileName.Parse("UPPLAN_202513_0300000100_43_0300000005_11_20250525103000.CSV", defects);

        Assert.Equal("file-name.month", Assert.Single(defects).Rule);
    }

    [Fact]
    public void Allows_month_000000_only_on_the_plan_supplement()
    {
        var supplement = new List<Defect>();
        StandardFileName.Parse("UPHOSOKU_000000_0300000100_43_0300000005_11_20250525103000.CSV", supplement);
        var plan = new List<Defect>();
        StandardFileName.Parse("UPPLAN_000000_0300000100_43_0300000005_11_20250525103000.CSV", plan);

        Assert.Empty(supplement);
        Assert.Equal("file-name.month", Assert.Single(plan).Rule);
    }

    [Fact]
    public void Knows_all_eighteen_file_kinds_of_the_standard()
    {
        Assert.Equal(18, FileLayouts.All.Count);
        Assert.Equal(25, FileLayouts.ByKind("plan6")!.FieldCount);
        Assert.Equal(37, FileLayouts.ByKind("table7")!.FieldCount);
        Assert.False(FileLayouts.ByKind("yoboBasicImage")!.IsCsv);
    }
}
