using System.Text;

namespace CarePlanMesh.Standard.Tests;

public class FileValidatorTests
{
    [Theory]
    [InlineData(SampleFiles.Plan, 3)]
    [InlineData(SampleFiles.Table7, 3)]
    [InlineData(SampleFiles.Supplement, 1)]
    [InlineData(SampleFiles.Actual, 2)]
    public void Accepts_the_spec_samples_written_in_MS932(string file, int records)
    {
        var result = FileValidator.Validate(file, SampleFiles.Ms932Bytes(file));

        Assert.True(result.IsValid, string.Join("\n", result.Defects));
        // The spec's example insurer number 123456 fails the health-insurance check digit: one warning, nothing else.
        Assert.Equal(["insurer-number.check-digit"], result.Defects.Select(d => d.Rule));
        Assert.Equal(records, result.RecordCount);
    }

    [Fact]
    public void Reports_a_record_with_the_wrong_field_count_with_its_line()
    {
        var text = SampleFiles.Text(SampleFiles.Plan);
        var lines = text.Split("\r\n");
        lines[1] += ",extra";
        var result = FileValidator.Validate(SampleFiles.Plan, Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));

        var defect = Assert.Single(Errors(result));
        Assert.Equal(("csv.field-count", 2), (defect.Rule, defect.Line));
        Assert.Contains("26", defect.MessageEn);
        Assert.Contains("26", defect.MessageJa);
    }

    [Fact]
    public void Keeps_commas_doubled_quotes_and_line_breaks_inside_quoted_fields()
    {
        var text = SampleFiles.Text(SampleFiles.Plan).Replace("\"（架空）担当ケアマネ\"", "\"担当,\"\"ケア\"\"\r\nマネ\"");
        var result = FileValidator.Validate(SampleFiles.Plan, Ms932.Encoding.GetBytes(text));

        Assert.Empty(Errors(result));
        Assert.Equal(3, result.RecordCount);
    }

    [Fact]
    public void Counts_lines_after_a_quoted_line_break_from_the_record_start()
    {
        var lines = SampleFiles.Text(SampleFiles.Plan).Split("\r\n");
        lines[0] = lines[0].Replace("\"（架空）担当ケアマネ\"", "\"担当\r\nケアマネ\"");
        lines[2] += ",extra";
        var result = FileValidator.Validate(SampleFiles.Plan, Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));

        Assert.Equal(4, Assert.Single(Errors(result)).Line);
    }

    [Fact]
    public void Reports_a_utf8_file_as_utf8()
    {
        var result = FileValidator.Validate(SampleFiles.Plan, Encoding.UTF8.GetBytes(SampleFiles.Text(SampleFiles.Plan)));

        Assert.Equal("encoding.utf8", Assert.Single(result.Defects).Rule);
    }

    [Fact]
    public void Reports_a_byte_order_mark()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(SampleFiles.Ms932Bytes(SampleFiles.Plan)).ToArray();
        var result = FileValidator.Validate(SampleFiles.Plan, bytes);

        Assert.Equal("encoding.bom", Assert.Single(result.Defects).Rule);
    }

    [Fact]
    public void Reports_gaiji_from_the_user_defined_area_with_its_line()
    {
        var lines = SampleFiles.Text(SampleFiles.Plan).Split("\r\n").Select(l => Ms932.Encoding.GetBytes(l)).ToList();
        // 0xF040 is the first MS932 user-defined character: it decodes without error to U+E000.
        lines[1] = lines[1].Concat(new byte[] { 0xF0, 0x40 }).ToArray();
        var bytes = lines.SelectMany((l, i) => i == 0 ? l : new byte[] { 0x0D, 0x0A }.Concat(l)).ToArray();
        var result = FileValidator.Validate(SampleFiles.Plan, bytes);

        var gaiji = Assert.Single(result.Defects, d => d.Rule == "encoding.gaiji");
        Assert.Equal(2, gaiji.Line);
    }

    [Fact]
    public void Reports_undecodable_bytes_with_their_offset()
    {
        var bytes = SampleFiles.Ms932Bytes(SampleFiles.Plan);
        var offset = bytes.Length - 10;
        bytes[offset] = 0x81; // a lead byte followed by an invalid trail byte
        bytes[offset + 1] = 0x7F;
        var result = FileValidator.Validate(SampleFiles.Plan, bytes);

        var defect = Assert.Single(result.Defects, d => d.Rule == "encoding.undecodable");
        Assert.Contains(offset.ToString(), defect.MessageEn);
        Assert.Equal(3, defect.Line);
    }

    [Fact]
    public void Reports_a_file_of_blank_lines_as_holding_no_records()
    {
        var result = FileValidator.Validate(SampleFiles.Plan, Ms932.Encoding.GetBytes("\r\n\r\n\r\n"));

        Assert.Equal(["csv.blank-line", "csv.empty"], result.Defects.Select(d => d.Rule).Order());
    }

    [Fact]
    public void Reports_an_empty_file()
    {
        Assert.Equal("file.empty", Assert.Single(FileValidator.Validate(SampleFiles.Plan, []).Defects).Rule);
    }

    [Fact]
    public void Caps_the_defects_of_one_file_and_counts_the_rest()
    {
        var junk = string.Concat(Enumerable.Repeat("1,2\r\n", 500));
        var result = FileValidator.Validate(SampleFiles.Plan, Ms932.Encoding.GetBytes(junk));

        Assert.Equal(ValidationPolicy.Default.MaxDefectsPerFile + 1, result.Defects.Count);
        Assert.Equal("report.truncated", result.Defects[^1].Rule);
        Assert.Contains("400", result.Defects[^1].MessageEn);
    }

    static IEnumerable<Defect> Errors(FileReport report) => report.Defects.Where(d => d.Severity == Severity.Error);
}
