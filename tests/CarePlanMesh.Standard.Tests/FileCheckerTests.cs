using System.Text;

namespace CarePlanMesh.Standard.Tests;

public class FileCheckerTests
{
    [Theory]
    [InlineData(SampleFiles.Plan, 3)]
    [InlineData(SampleFiles.Table7, 3)]
    [InlineData(SampleFiles.Supplement, 1)]
    [InlineData(SampleFiles.Actual, 2)]
    public void Accepts_the_spec_samples_written_in_MS932(string file, int records)
    {
        var result = FileChecker.Check(file, SampleFiles.Ms932Bytes(file));

        Assert.Empty(result.Defects);
        Assert.Equal(records, result.RecordCount);
    }

    [Fact]
    public void Reports_a_record_with_the_wrong_field_count_with_its_line()
    {
        var text = SampleFiles.Text(SampleFiles.Plan);
        var lines = text.Split("\r\n");
        lines[1] += ",extra";
        var result = FileChecker.Check(SampleFiles.Plan, Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));

        var defect = Assert.Single(result.Defects);
        Assert.Equal(("csv.field-count", 2), (defect.Rule, defect.Line));
        Assert.Contains("26", defect.MessageEn);
        Assert.Contains("26", defect.MessageJa);
    }

    [Fact]
    public void Keeps_commas_doubled_quotes_and_line_breaks_inside_quoted_fields()
    {
        var text = SampleFiles.Text(SampleFiles.Plan).Replace("\"（架空）担当ケアマネ\"", "\"担当,\"\"ケア\"\"\r\nマネ\"");
        var result = FileChecker.Check(SampleFiles.Plan, Ms932.Encoding.GetBytes(text));

        Assert.Empty(result.Defects);
        Assert.Equal(3, result.RecordCount);
    }

    [Fact]
    public void Counts_lines_after_a_quoted_line_break_from_the_record_start()
    {
        var lines = SampleFiles.Text(SampleFiles.Plan).Split("\r\n");
        lines[0] = lines[0].Replace("\"（架空）担当ケアマネ\"", "\"担当\r\nケアマネ\"");
        lines[2] += ",extra";
        var result = FileChecker.Check(SampleFiles.Plan, Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));

        Assert.Equal(4, Assert.Single(result.Defects).Line);
    }

    [Fact]
    public void Reports_a_utf8_file_as_utf8()
    {
        var result = FileChecker.Check(SampleFiles.Plan, Encoding.UTF8.GetBytes(SampleFiles.Text(SampleFiles.Plan)));

        Assert.Equal("encoding.utf8", Assert.Single(result.Defects).Rule);
    }

    [Fact]
    public void Reports_a_byte_order_mark()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(SampleFiles.Ms932Bytes(SampleFiles.Plan)).ToArray();
        var result = FileChecker.Check(SampleFiles.Plan, bytes);

        Assert.Equal("encoding.bom", Assert.Single(result.Defects).Rule);
    }

    [Fact]
    public void Reports_gaiji_from_the_user_defined_area_with_its_line()
    {
        var lines = SampleFiles.Text(SampleFiles.Plan).Split("\r\n").Select(l => Ms932.Encoding.GetBytes(l)).ToList();
        // 0xF040 is the first MS932 user-defined character: it decodes without error to U+E000.
        lines[1] = lines[1].Concat(new byte[] { 0xF0, 0x40 }).ToArray();
        var bytes = lines.SelectMany((l, i) => i == 0 ? l : new byte[] { 0x0D, 0x0A }.Concat(l)).ToArray();
        var result = FileChecker.Check(SampleFiles.Plan, bytes);

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
        var result = FileChecker.Check(SampleFiles.Plan, bytes);

        var defect = Assert.Single(result.Defects, d => d.Rule == "encoding.undecodable");
        Assert.Contains(offset.ToString(), defect.MessageEn);
        Assert.Equal(3, defect.Line);
    }

    [Fact]
    public void Reports_an_empty_file()
    {
        Assert.Equal("csv.empty", Assert.Single(FileChecker.Check(SampleFiles.Plan, []).Defects).Rule);
    }

    [Fact]
    public void Caps_the_defects_of_one_file_and_counts_the_rest()
    {
        var junk = string.Concat(Enumerable.Repeat("1,2\r\n", 500));
        var result = FileChecker.Check(SampleFiles.Plan, Ms932.Encoding.GetBytes(junk));

        Assert.Equal(FileChecker.MaxDefectsPerFile + 1, result.Defects.Count);
        Assert.Equal("report.truncated", result.Defects[^1].Rule);
        Assert.Contains("400", result.Defects[^1].MessageEn);
    }
}
