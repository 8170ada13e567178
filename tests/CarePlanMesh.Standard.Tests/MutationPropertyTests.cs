using System.Text;
using Xunit.Abstractions;

namespace CarePlanMesh.Standard.Tests;

/// <summary>
/// Property: whatever happens to a valid file — bytes flipped, inserted or dropped, a field replaced, quotes added or
/// removed, lines duplicated, dropped or swapped, line breaks inserted, the file cut short — the validator never
/// throws, every defect is complete, and what it says about the bytes agrees with an independent reading of them
/// (strict MS932, strict RFC 4180): undecodable bytes, 外字, misplaced quotes and wrong field counts are reported, and
/// nothing of the sort is reported where there is none. Seeds are fixed; a failure names seed, step and mutation.
/// </summary>
public sealed class MutationPropertyTests(ITestOutputHelper output)
{
    const int MutationsPerKind = 300;

    public static TheoryData<string> Kinds => [.. StandardFiles.CsvKinds];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Mutated_files_never_throw_and_their_defects_agree_with_an_independent_reading(string kind)
    {
        var valid = StandardFiles.Valid(kind);
        var original = valid.Content;
        var seed = 20250601 + StandardFiles.CsvKinds.ToList().IndexOf(kind);
        var random = new Random(seed);
        var changed = 0;

        for (var step = 0; step < MutationsPerKind; step++)
        {
            var (mutation, bytes) = Mutate(random, valid);
            try
            {
                var report = FileValidator.Validate(valid.Name, bytes);
                var differs = !bytes.AsSpan().SequenceEqual(original);
                Check(valid.Layout, bytes, report, valid.Rows, differs);
                changed += differs ? 1 : 0;
            }
            catch (Exception exception)
            {
                output.WriteLine($"{kind}: seed {seed}, step {step}: {mutation}");
                throw new Xunit.Sdk.XunitException($"{kind}, seed {seed}, step {step}, {mutation}:\n{exception}");
            }
        }
        output.WriteLine($"{kind}: seed {seed}, {MutationsPerKind} mutations, {changed} changed the file");
        Assert.True(changed > MutationsPerKind * 9 / 10);
    }

    static void Check(FileLayout layout, byte[] bytes, FileReport report, List<string[]> original, bool differs)
    {
        var lines = bytes.AsSpan().Count((byte)'\n') + bytes.AsSpan().Count((byte)'\r') + 1;
        Assert.All(report.Defects, d =>
        {
            Expect.Complete(d, report.File);
            Assert.True(d.Line is null || d.Line <= lines, $"line {d.Line} of {lines}");
            Assert.True(d.Column is null || d.Column <= layout.FieldCount + 1, $"column {d.Column}");
        });
        Assert.All(report.Defects, d => Private(layout, original, d));

        var rules = report.Defects.Select(d => d.Rule).ToHashSet();
        var reading = Reading.Of(bytes, layout.FieldCount);
        // A changed file either validates or says what is wrong; it passes without a word only if it reads cleanly.
        if (differs)
            Assert.True(report.IsValid || report.Defects.Count > 0);
        if (differs && report.Defects.Count == 0)
            Assert.True(reading.Clean, "a changed file that does not read cleanly passed without a defect");
        Assert.True(reading.Expected.All(rules.Contains), $"expected {string.Join(", ", reading.Expected)}\n{Expect.Describe(report.Defects)}");
        Assert.True(!reading.Unexpected.Any(rules.Contains), $"did not expect {string.Join(", ", reading.Unexpected)}\n{Expect.Describe(report.Defects)}");
        if (reading.Records is { } records)
            Assert.Equal(records.Count, report.RecordCount);
        // The same records in another order, or written differently (quotes, line ends, blank lines), stay valid.
        if (reading.Clean && Key(reading.Records!).SequenceEqual(Key(original)))
            Assert.True(report.IsValid, Expect.Describe(report.Defects));
    }

    /// <summary>A personal field's value shows only its shape, and no personal value of the file appears anywhere else.</summary>
    static void Private(FileLayout layout, List<string[]> original, Defect defect)
    {
        if (defect.Column is { } no && no <= layout.FieldCount && layout.Fields[no - 1] is { IsPersonal: true } field && defect.Field == field.JaName)
            Assert.True(defect.Value is null || defect.Value.All(c => c is '9' or 'X' or '*' or '…'), $"{field.EnName} shown as {defect.Value}");
        var personal = original.SelectMany(r => r.Where((v, i) => layout.Fields[i].IsPersonal && v.Length > 1 && !Palette.Contains(v)));
        Assert.All(personal, value => Expect.NotShown(value, defect));
    }

    static IEnumerable<string> Key(IEnumerable<string[]> records) => records.Select(r => string.Join("\u001F", r)).Order(StringComparer.Ordinal);

    /// <summary>What an independent reading of the bytes says must, and must not, be reported.</summary>
    sealed record Reading(List<string> Expected, List<string> Unexpected, List<string[]>? Records)
    {
        /// <summary>Decodes cleanly and parses into records of the right field count.</summary>
        public bool Clean { get; init; }

        static readonly Encoding StrictMs932 = Ms932.Encoding;
        static readonly Encoding LenientMs932 = Encoding.GetEncoding(932, EncoderFallback.ExceptionFallback, new DecoderReplacementFallback("\uFFFD"));
        static readonly Encoding StrictUtf8 = new UTF8Encoding(false, true);

        public static Reading Of(byte[] bytes, int fieldCount)
        {
            if (bytes.Length == 0)
                return new(["file.empty"], [], null);
            if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                return new(["encoding.bom"], [], null);
            var decodes = TryDecode(StrictMs932, bytes) is not null;
            if (!decodes && TryDecode(StrictUtf8, bytes) is not null)
                return new(["encoding.utf8"], [], null);

            var text = LenientMs932.GetString(bytes);
            var expected = new List<string>();
            var unexpected = new List<string>();
            (decodes ? unexpected : expected).Add("encoding.undecodable");
            (text.AsSpan().IndexOfAnyInRange('\uE000', '\uF8FF') >= 0 ? expected : unexpected).Add("encoding.gaiji");

            var (wellFormed, records) = Csv(text);
            if (!wellFormed)
            {
                expected.Add("csv.quote");
                return new(expected, unexpected, null);
            }
            unexpected.Add("csv.quote");
            (records.Any(r => r.Length != fieldCount) ? expected : unexpected).Add("csv.field-count");
            (records.Count == 0 ? expected : unexpected).Add("csv.empty");
            return new(expected, unexpected, records) { Clean = decodes && expected.Count == 0 };
        }

        static string? TryDecode(Encoding encoding, byte[] bytes)
        {
            try { return encoding.GetString(bytes); }
            catch (DecoderFallbackException) { return null; }
        }

        /// <summary>
        /// Strict RFC 4180 with CR, LF or CRLF ending a record (as the validator's parser takes them): whether every quote
        /// is where it may be, and the field count of every record that is not blank (a lone empty field is blank).
        /// </summary>
        static (bool WellFormed, List<string[]> Records) Csv(string text)
        {
            var records = new List<string[]>();
            var fields = new List<string>();
            var i = 0;
            while (i < text.Length)
            {
                if (text[i] == '"')
                {
                    var close = i + 1;
                    while ((close = text.IndexOf('"', close)) >= 0 && close + 1 < text.Length && text[close + 1] == '"')
                        close += 2;
                    if (close < 0)
                        return (false, records);
                    fields.Add(text[(i + 1)..close].Replace("\"\"", "\""));
                    i = close + 1;
                    if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                        return (false, records);
                }
                else
                {
                    var end = text.AsSpan(i).IndexOfAny(",\r\n") is >= 0 and var length ? i + length : text.Length;
                    if (text.AsSpan(i, end - i).Contains('"'))
                        return (false, records);
                    fields.Add(text[i..end]);
                    i = end;
                }
                if (i < text.Length && text[i] == ',')
                {
                    i++;
                    // A comma at the very end opens one more, empty, field.
                    if (i == text.Length)
                        fields.Add("");
                    continue;
                }
                if (i < text.Length)
                    i += text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                // A lone empty field, quoted or not, is a blank line.
                if (fields is not [""])
                    records.Add([.. fields]);
                fields.Clear();
            }
            if (fields.Count > 0 && fields is not [""])
                records.Add([.. fields]);
            return (true, records);
        }
    }

    static readonly string[] Palette = ["", "1", "0", "-1", "ｱ", "あ", "9999", "99.99", "000000", "00000000", "H123456789", "2025-06-01", "\"", ",", "a\r\nb", "\r", new string('x', 300), "１２３"];

    static (string Mutation, byte[] Bytes) Mutate(Random random, StandardFile valid)
    {
        var bytes = new List<byte>(valid.Content);
        var at = random.Next(bytes.Count);
        switch (random.Next(12))
        {
            case 0:
                var bit = random.Next(8);
                bytes[at] ^= (byte)(1 << bit);
                return ($"flip bit {bit} of byte {at}", [.. bytes]);
            case 1:
                var inserted = (byte)random.Next(256);
                bytes.Insert(at, inserted);
                return ($"insert byte 0x{inserted:X2} at {at}", [.. bytes]);
            case 2:
                bytes.RemoveAt(at);
                return ($"drop byte {at}", [.. bytes]);
            case 3:
                return ReplaceField(random, valid.Clone());
            case 4:
                return QuoteField(random, valid.Text);
            case 5:
                return UnquoteField(random, valid.Text);
            case 6:
            {
                var lines = valid.Text.Split("\r\n").ToList();
                var line = random.Next(lines.Count - 1);
                lines.Insert(line, lines[line]);
                return ($"duplicate line {line + 1}", Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));
            }
            case 7:
            {
                var lines = valid.Text.Split("\r\n").ToList();
                var line = random.Next(lines.Count - 1);
                lines.RemoveAt(line);
                return ($"remove line {line + 1}", Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));
            }
            case 8:
            {
                var file = valid.Clone();
                var (a, b) = (random.Next(file.Rows.Count), random.Next(file.Rows.Count));
                (file.Rows[a], file.Rows[b]) = (file.Rows[b], file.Rows[a]);
                return ($"swap rows {a} and {b}", file.Content);
            }
            case 9:
            {
                byte[] lineBreak = random.Next(3) switch { 0 => [0x0D], 1 => [0x0A], _ => [0x0D, 0x0A] };
                bytes.InsertRange(at, lineBreak);
                return ($"insert {Convert.ToHexString(lineBreak)} at {at}", [.. bytes]);
            }
            case 10:
                return ($"cut at {at}", [.. bytes.Take(at)]);
            default:
                // 0xF040: the first MS932 user-defined character (外字).
                bytes.InsertRange(at, [0xF0, 0x40]);
                return ($"insert F040 at {at}", [.. bytes]);
        }
    }

    static (string, byte[]) ReplaceField(Random random, StandardFile file)
    {
        var row = random.Next(file.Rows.Count);
        var field = random.Next(file.Layout.FieldCount);
        var value = Palette[random.Next(Palette.Length)];
        file.Rows[row][field] = value;
        return ($"replace row {row} No.{field + 1} with \"{value.ReplaceLineEndings("⏎")}\"", file.Content);
    }

    static (string, byte[]) QuoteField(Random random, string text)
    {
        var commas = Enumerable.Range(0, text.Length).Where(i => text[i] == ',' && i + 1 < text.Length && text[i + 1] != '"').ToList();
        var start = commas[random.Next(commas.Count)] + 1;
        var end = text.IndexOfAny([',', '\r'], start);
        return ($"quote the field at {start}", Ms932.Encoding.GetBytes($"{text[..start]}\"{text[start..end]}\"{text[end..]}"));
    }

    static (string, byte[]) UnquoteField(Random random, string text)
    {
        var quoted = Enumerable.Range(0, text.Length).Where(i => text[i] == '"' && (i == 0 || text[i - 1] == ',')).ToList();
        if (quoted.Count == 0)
            return QuoteField(random, text);
        var start = quoted[random.Next(quoted.Count)];
        var end = text.IndexOf('"', start + 1);
        while (end + 1 < text.Length && text[end + 1] == '"')
            end = text.IndexOf('"', end + 2);
        return ($"unquote the field at {start}", Ms932.Encoding.GetBytes($"{text[..start]}{text[(start + 1)..end]}{text[(end + 1)..]}"));
    }
}
