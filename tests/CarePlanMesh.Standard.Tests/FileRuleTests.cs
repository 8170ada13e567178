using System.Text;

namespace CarePlanMesh.Standard.Tests;

/// <summary>File-level rules: the name, the bytes (MS932), the CSV syntax, and the cap on listed defects.</summary>
public sealed class FileRuleTests
{
    static FileReport Validate(StandardFile file, byte[] content, ValidationPolicy? policy = null) => FileValidator.Validate(file.Name, content, policy);

    [Fact]
    public void Rejects_a_name_outside_the_naming_rule_and_reads_nothing_of_it()
    {
        var file = StandardFiles.Valid("plan6");
        file.Name = file.Name.Replace("UPPLAN", "UPPLANS");

        var report = file.Validate();

        Assert.Equal(Severity.Error, Expect.Single(report, "file-name.pattern").Severity);
        Assert.Single(report.Defects);
        Assert.Null(report.Name);
        Assert.Equal(0, report.RecordCount);
    }

    [Fact]
    public void Rejects_a_name_whose_serial_is_not_a_real_date_and_time()
    {
        var file = StandardFiles.Valid("plan6", serial: "20250601250000");

        Assert.Equal(Severity.Error, Expect.Single(file.Validate(), "file-name.serial-date").Severity);
    }

    [Fact]
    public void Rejects_a_name_whose_month_does_not_exist()
    {
        var file = StandardFiles.Valid("plan6");
        file.Name = StandardFiles.Name("plan6", month: "202500");

        Assert.Equal(Severity.Error, Expect.Single(file.Validate(), "file-name.month").Severity);
    }

    [Fact]
    public void Warns_about_a_v3_name_without_service_types_and_still_reads_the_file()
    {
        var file = StandardFiles.Valid("plan6");
        file.Name = StandardFiles.Name("plan6", v3: true);

        var report = file.Validate();

        Assert.Equal(Severity.Warning, Expect.Single(report, "file-name.v3").Severity);
        Assert.True(report.IsValid);
        Assert.Equal(file.Rows.Count, report.RecordCount);
    }

    [Fact]
    public void Accepts_the_000000_month_the_specs_example_writes_into_a_basic_information_name()
    {
        var file = StandardFiles.Valid("yoboBasic");
        file.Name = file.Name.Replace("UPKIHON_", "UPKIHON_000000_");

        Assert.Empty(file.Validate().Defects);
    }

    [Fact]
    public void Rejects_an_empty_file()
    {
        var file = StandardFiles.Valid("plan6");

        Assert.Equal("file.empty", Assert.Single(Validate(file, []).Defects).Rule);
    }

    [Fact]
    public void Rejects_a_file_of_blank_lines_as_holding_no_records()
    {
        var file = StandardFiles.Valid("plan6");

        var report = Validate(file, "\r\n\r\n"u8.ToArray());

        Assert.Equal(Severity.Error, Expect.Single(report, "csv.empty").Severity);
        Assert.Contains("2", Expect.Single(report, "csv.blank-line").MessageEn);
    }

    [Fact]
    public void Warns_about_blank_lines_and_keeps_the_lines_of_later_records_physical()
    {
        var file = StandardFiles.Valid("plan6").Set(1, "serviceDate", "20250702");
        var text = file.Text.Replace("\r\n", "\r\n\r\n");

        var report = Validate(file, Ms932.Encoding.GetBytes(text));

        Assert.Equal(Severity.Warning, Expect.Single(report, "csv.blank-line").Severity);
        Assert.Equal(3, Expect.Single(report, "record.service-date-month").Line);
    }

    [Fact]
    public void Rejects_a_record_with_one_field_too_many_pointing_at_the_first_extra_field()
    {
        var file = StandardFiles.Valid("plan6");
        file.Rows[1] = [.. file.Rows[1], "extra"];

        var defect = Expect.Single(file.Validate(), "csv.field-count");

        Assert.Equal((file.LineOf(1), file.Layout.FieldCount + 1), (defect.Line, defect.Column));
        Assert.Contains($"{file.Layout.FieldCount + 1}", defect.MessageEn);
        Assert.Contains($"{file.Layout.FieldCount}", defect.MessageJa);
    }

    [Fact]
    public void Rejects_a_record_with_one_field_missing_pointing_at_the_missing_field()
    {
        var file = StandardFiles.Valid("plan6");
        file.Rows[1] = file.Rows[1][..^1];

        var defect = Expect.Single(file.Validate(), "csv.field-count");

        Assert.Equal((file.LineOf(1), file.Layout.FieldCount), (defect.Line, defect.Column));
    }

    [Fact]
    public void Does_not_judge_the_fields_of_a_record_whose_field_count_is_wrong()
    {
        var file = StandardFiles.Valid("plan6").Set(1, "serviceDate", "not a date");
        file.Rows[1] = [.. file.Rows[1], "extra"];

        Assert.Equal(["csv.field-count"], file.Validate().Defects.Select(d => d.Rule));
    }

    [Fact]
    public void Rejects_a_quote_inside_an_unquoted_field_at_its_line_and_shows_no_insured_number()
    {
        var file = StandardFiles.Valid("table1").Set(1, "insuredNumber", "12345\"67890");
        var text = file.Text.Replace("\"12345\"\"67890\"", "12345\"67890");

        var report = Validate(file, Ms932.Encoding.GetBytes(text));

        Assert.Equal(file.LineOf(1), Expect.Single(report, "csv.quote").Line);
        Assert.All(report.Defects, d => Expect.NotShown("1234567890", d));
        Assert.All(report.Defects, d => Expect.NotShown("12345", d));
    }

    [Fact]
    public void Rejects_text_after_a_closing_quote()
    {
        var file = StandardFiles.Valid("plan6");
        var staff = "\"（架空）プラン担当者名\",";
        var at = file.Text.IndexOf(staff, StringComparison.Ordinal) + staff.Length - 1;
        var text = file.Text[..at] + "様" + file.Text[at..];

        Assert.Equal(1, Expect.Single(Validate(file, Ms932.Encoding.GetBytes(text)), "csv.quote").Line);
    }

    [Fact]
    public void Rejects_a_quote_left_open_at_the_end_of_the_file_at_the_line_its_record_starts_on()
    {
        var file = StandardFiles.Valid("plan6");
        var text = file.Text[..^2] + "\"\r\n";

        var report = Validate(file, Ms932.Encoding.GetBytes(text));

        Assert.Equal(file.LineOf(file.Rows.Count - 1), Expect.Single(report, "csv.quote").Line);
        Assert.False(report.IsValid);
    }

    [Fact]
    public void Rejects_a_file_cut_off_inside_quoted_text_just_after_a_doubled_quote()
    {
        var file = StandardFiles.Valid("table3");
        // The last field is free text: cut short after a doubled quote the parser would take the rest as data.
        var text = file.Text[..^3] + "\"\"";

        var report = Validate(file, Ms932.Encoding.GetBytes(text));

        Assert.Equal(file.LineOf(file.Rows.Count - 1), Expect.Single(report, "csv.quote").Line);
    }

    [Fact]
    public void Reports_a_misplaced_quote_even_when_it_also_changes_the_field_count()
    {
        var file = StandardFiles.Valid("plan6");
        var row = file.Rows.FindIndex(r => r[2] == StandardFiles.Users[1]);
        // An opening quote without its close: the field runs on into the next quoted one and swallows fields.
        var at = file.Text.IndexOf($",{StandardFiles.Users[1]},", StringComparison.Ordinal) + 1;
        var text = file.Text[..at] + "\"" + file.Text[at..];

        var report = Validate(file, Ms932.Encoding.GetBytes(text));

        Assert.Equal(file.LineOf(row), Expect.Single(report, "csv.field-count").Line);
        Assert.Contains(report.Defects, d => (d.Rule, d.Line) == ("csv.quote", file.LineOf(row)));
    }

    [Fact]
    public void Warns_once_about_records_ended_by_a_bare_lf()
    {
        var file = StandardFiles.Valid("plan6");
        file.LineEnding = "\n";

        var defect = Expect.Single(file.Validate(), "csv.line-ending");

        Assert.Equal((Severity.Warning, 1), (defect.Severity, defect.Line));
        Assert.Contains("LF", defect.MessageEn);
    }

    [Fact]
    public void Warns_about_records_ended_by_a_bare_cr()
    {
        var file = StandardFiles.Valid("plan6");
        file.LineEnding = "\r";

        var report = file.Validate();

        Assert.Contains("CR", Expect.Single(report, "csv.line-ending").MessageEn);
        Assert.Equal(file.Rows.Count, report.RecordCount);
    }

    [Fact]
    public void Warns_about_a_bare_lf_after_crlf_records_at_the_first_record_it_ends()
    {
        var file = StandardFiles.Valid("plan6");
        var lines = file.Text.Split("\r\n");
        var text = string.Join("\r\n", lines[..2]) + "\r\n" + string.Join("\n", lines[2..]);

        Assert.Equal(3, Expect.Single(Validate(file, Ms932.Encoding.GetBytes(text)), "csv.line-ending").Line);
    }

    [Fact]
    public void Does_not_judge_line_breaks_inside_quoted_text()
    {
        var file = StandardFiles.Valid("table1").Set(0, "overallPolicy", "（架空）一行目\n二行目\r三行目");

        Assert.Empty(file.Validate().Defects);
    }

    [Fact]
    public void Rejects_a_utf8_byte_order_mark()
    {
        var file = StandardFiles.Valid("plan6");

        var report = Validate(file, [0xEF, 0xBB, 0xBF, .. file.Content]);

        var defect = Expect.Single(report, "encoding.bom");
        Assert.Equal((1, Severity.Error), (defect.Line, defect.Severity));
        Assert.Single(report.Defects);
    }

    [Fact]
    public void Rejects_a_file_written_in_utf8_and_says_so()
    {
        var file = StandardFiles.Valid("plan6");

        var report = Validate(file, Encoding.UTF8.GetBytes(file.Text));

        Assert.Equal(1, Expect.Single(report, "encoding.utf8").Line);
        Assert.Single(report.Defects);
    }

    [Fact]
    public void Rejects_bytes_that_are_not_ms932_with_their_offset_and_line()
    {
        var file = StandardFiles.Valid("plan6");
        var bytes = file.Content;
        var offset = Ms932.Encoding.GetByteCount(file.Text[..file.Text.IndexOf("\r\n", StringComparison.Ordinal)]) + 2 + 3;
        (bytes[offset], bytes[offset + 1]) = (0x81, 0x7F);

        var defect = Expect.Single(Validate(file, bytes), "encoding.undecodable");

        Assert.Equal(2, defect.Line);
        Assert.Contains(offset.ToString(), defect.MessageEn);
    }

    [Fact]
    public void Rejects_gaiji_from_the_user_defined_area_with_line_and_character()
    {
        var file = StandardFiles.Valid("table1");
        var name = "（架空）介護太郎";
        file.Set(1, "planAuthorName", name);
        var text = Ms932.Encoding.GetBytes(file.Text);
        var at = text.AsSpan().IndexOf(Ms932.Encoding.GetBytes(name));
        // 0xF040 is the first MS932 user-defined character; it decodes without error to U+E000.
        (text[at + 8], text[at + 9]) = (0xF0, 0x40);

        var defect = Expect.Single(Validate(file, text), "encoding.gaiji");

        Assert.Equal(file.LineOf(1), defect.Line);
        Assert.DoesNotContain("介護", defect.MessageJa);
    }

    [Fact]
    public void Lists_at_most_the_policys_number_of_defects_and_counts_the_rest()
    {
        var file = StandardFiles.Valid("plan6", users: [.. Enumerable.Range(0, 30).Select(i => $"{1_000_000_000 + i}")]);
        file.SetAll("serviceDate", "20250702");
        var policy = new ValidationPolicy { MaxDefectsPerFile = 10 };

        var report = file.Validate(policy);

        Assert.Equal(policy.MaxDefectsPerFile + 1, report.Defects.Count);
        var truncated = report.Defects[^1];
        Assert.Equal(("report.truncated", Severity.Error), (truncated.Rule, truncated.Severity));
        Assert.Contains($"{file.Rows.Count - policy.MaxDefectsPerFile} more", truncated.MessageEn);
        Expect.Complete(truncated, file.Name);
    }

    [Fact]
    public void Lists_a_warning_repeated_on_every_record_once_with_the_number_of_further_lines()
    {
        var file = StandardFiles.Valid("plan6").SetAll("identifier", "1");

        var defect = Expect.Single(file.Validate(), "field.unused");

        Assert.Contains($"also on {file.Rows.Count - 1} more lines", defect.MessageEn);
        Assert.Contains($"ほかに{file.Rows.Count - 1}行", defect.MessageJa);
    }

    [Fact]
    public void Does_not_read_the_content_of_a_family_structure_image()
    {
        var report = FileValidator.Validate(StandardFiles.ImageName(), StandardFiles.Jpeg);

        Assert.Empty(report.Defects);
        Assert.Equal("yoboBasicImage", report.Name?.Layout.Kind);
    }
}
