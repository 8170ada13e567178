using System.Diagnostics;
using Xunit.Abstractions;

namespace CarePlanMesh.Standard.Tests;

/// <summary>Inputs built to hurt a parser finish and come back with defects; the times are printed, not asserted.</summary>
public sealed class PathologicalInputTests(ITestOutputHelper output)
{
    FileReport Validate(string what, byte[] bytes)
    {
        var watch = Stopwatch.StartNew();
        var report = FileValidator.Validate(StandardFiles.Name("plan6"), bytes);
        output.WriteLine($"{what}: {bytes.Length:N0} bytes, {report.RecordCount:N0} records, {report.Defects.Count} defects listed, {watch.ElapsedMilliseconds} ms");
        Assert.All(report.Defects, d => Expect.Complete(d, report.File));
        Assert.InRange(report.Defects.Count, 1, ValidationPolicy.Default.MaxDefectsPerFile + 1);
        return report;
    }

    [Fact]
    public void One_quoted_field_of_five_megabytes_is_read_and_reported()
    {
        // 2.5 million double-byte characters: 5 MB in MS932, in the staff name of an otherwise valid record.
        var file = StandardFiles.Valid("plan6", users: [StandardFiles.Users[0]]);
        file.Rows.RemoveRange(1, file.Rows.Count - 1);
        var text = file.Text.Replace("\"（架空）プラン担当者名\"", "\"" + new string('あ', 2_500_000), StringComparison.Ordinal);

        var report = Validate("one open 5 MB quoted field", Ms932.Encoding.GetBytes(text));

        Assert.Contains(report.Defects, d => d.Rule == "csv.quote");
    }

    [Fact]
    public void A_closed_quoted_field_of_five_megabytes_has_no_length_limit_to_break()
    {
        var file = StandardFiles.Valid("plan6").Set(0, "planStaffName", new string('あ', 2_500_000)).Set(1, "serviceDate", "20250702");

        var report = Validate("a closed 5 MB quoted field", file.Content);

        Assert.Equal(["record.service-date-month"], report.Defects.Select(d => d.Rule));
        Assert.Equal(file.Rows.Count, report.RecordCount);
    }

    [Fact]
    public void A_million_empty_crlf_lines_are_one_warning_and_no_records()
    {
        var bytes = new byte[2_000_000];
        for (var i = 0; i < bytes.Length; i += 2)
            (bytes[i], bytes[i + 1]) = (0x0D, 0x0A);

        var report = Validate("a million empty CRLF lines", bytes);

        Assert.Equal(["csv.blank-line", "csv.empty"], report.Defects.Select(d => d.Rule).Order());
        Assert.Contains("1000000", report.Defects.Single(d => d.Rule == "csv.blank-line").MessageEn);
    }

    [Fact]
    public void A_million_short_crlf_lines_are_capped_and_counted()
    {
        var bytes = new byte[4_000_000];
        for (var i = 0; i < bytes.Length; i += 4)
            (bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]) = ((byte)'1', (byte)',', 0x0D, 0x0A);

        var report = Validate("a million two-field CRLF lines", bytes);

        Assert.Equal(1_000_000, report.RecordCount);
        var truncated = Assert.Single(report.Defects, d => d.Rule == "report.truncated");
        Assert.Contains($"{1_000_000 - ValidationPolicy.Default.MaxDefectsPerFile} more", truncated.MessageEn);
    }

    [Fact]
    public void A_megabyte_of_random_bytes_is_reported_as_not_ms932()
    {
        var bytes = new byte[1_000_000];
        new Random(20250601).NextBytes(bytes);

        var report = Validate("1 MB of random bytes", bytes);

        Assert.Contains(report.Defects, d => d.Rule == "encoding.undecodable");
        Assert.False(report.IsValid);
    }

    [Fact]
    public void A_megabyte_of_quotes_commas_and_line_breaks_is_reported()
    {
        var random = new Random(20250602);
        var bytes = new byte[1_000_000];
        for (var i = 0; i < bytes.Length; i++)
            bytes[i] = "\",\r\n"[random.Next(4)] is var c ? (byte)c : (byte)0;

        var report = Validate("1 MB of quotes, commas and line breaks", bytes);

        Assert.False(report.IsValid);
    }
}
