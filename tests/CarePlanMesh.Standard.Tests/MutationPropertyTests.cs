using System.Diagnostics;
using Xunit.Abstractions;

namespace CarePlanMesh.Standard.Tests;

/// <summary>
/// Property: whatever happens to a valid file — bytes flipped, inserted or dropped, quotes added, fields or lines
/// duplicated or removed, line breaks inserted, the file cut short — the validator never throws, and a file that
/// differs from the original either still validates or says what is wrong, with every defect complete.
/// </summary>
public sealed class MutationPropertyTests(ITestOutputHelper output)
{
    const int MutationsPerKind = 250;

    public static TheoryData<string> Kinds => [.. StandardFiles.CsvKinds];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Mutated_files_never_throw_and_are_either_valid_or_explained(string kind)
    {
        var month = kind == "supplement" ? "000000" : StandardFiles.Month;
        var (name, original) = StandardFiles.File(kind, month: month, insured: ["1234567890", "H123456789"]);
        var seed = kind.Aggregate(17, (h, c) => h * 31 + c);
        var random = new Random(seed);

        for (var i = 0; i < MutationsPerKind; i++)
        {
            var (mutation, bytes) = Mutate(random, original);
            FileReport report;
            try
            {
                report = FileValidator.Validate(name, bytes);
            }
            catch (Exception exception)
            {
                output.WriteLine($"seed {seed}, mutation {i}: {mutation}");
                throw new Xunit.Sdk.XunitException($"The validator threw on {kind} (seed {seed}, mutation {i}, {mutation}): {exception}");
            }
            Assert.All(report.Defects, d =>
            {
                Assert.Equal(name, d.File);
                Assert.False(string.IsNullOrEmpty(d.Rule));
                Assert.False(string.IsNullOrEmpty(d.MessageJa));
                Assert.False(string.IsNullOrEmpty(d.MessageEn));
            });
            // A changed file is either still valid (e.g. a changed free-text character) or explained by an error.
            if (!report.IsValid)
                Assert.Contains(report.Defects, d => d.Severity == Severity.Error);
        }
    }

    [Fact]
    public void Pathological_files_are_answered_with_defects()
    {
        var name = StandardFiles.Name("plan6");
        var hugeField = Ms932.Encoding.GetBytes("202407,435073,\"" + new string('あ', 2_500_000) + "\"\r\n");
        var emptyLines = new byte[2_000_000];
        for (var i = 0; i < emptyLines.Length; i += 2)
            (emptyLines[i], emptyLines[i + 1]) = ((byte)'\r', (byte)'\n');
        var junk = new byte[1_000_000];
        new Random(7).NextBytes(junk);

        foreach (var (what, bytes) in new[] { ("one huge quoted field", hugeField), ("a million empty lines", emptyLines), ("binary junk", junk) })
        {
            var watch = Stopwatch.StartNew();
            var report = FileValidator.Validate(name, bytes);
            output.WriteLine($"{what}: {report.Defects.Count} defects listed in {watch.ElapsedMilliseconds} ms");
            Assert.False(report.IsValid, what);
            Assert.InRange(report.Defects.Count, 1, ValidationPolicy.Default.MaxDefectsPerFile + 1);
        }
    }

    static (string Mutation, byte[] Bytes) Mutate(Random random, byte[] original)
    {
        var bytes = new List<byte>(original);
        var at = random.Next(bytes.Count);
        var lines = Ms932.Encoding.GetString(original).Split("\r\n").ToList();
        switch (random.Next(9))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                return ($"flip a bit at {at}", [.. bytes]);
            case 1:
                bytes.Insert(at, (byte)random.Next(256));
                return ($"insert a byte at {at}", [.. bytes]);
            case 2:
                bytes.RemoveAt(at);
                return ($"drop the byte at {at}", [.. bytes]);
            case 3:
                bytes.Insert(at, (byte)'"');
                return ($"insert a quote at {at}", [.. bytes]);
            case 4:
                bytes.InsertRange(at, random.Next(2) == 0 ? [(byte)'\r', (byte)'\n'] : [(byte)'\n']);
                return ($"insert a line break at {at}", [.. bytes]);
            case 5:
                return ($"cut at {at}", [.. bytes.Take(at)]);
            case 6:
            {
                var line = random.Next(lines.Count);
                lines.Insert(line, lines[line]);
                return ($"duplicate line {line + 1}", Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));
            }
            case 7:
            {
                var line = random.Next(lines.Count);
                lines.RemoveAt(line);
                return ($"remove line {line + 1}", Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));
            }
            default:
            {
                var line = random.Next(Math.Max(1, lines.Count - 1));
                var fields = lines[line].Split(',').ToList();
                var field = random.Next(fields.Count);
                fields[field] = random.Next(3) switch { 0 => "", 1 => "ｱ", _ => fields[field] + fields[field] };
                lines[line] = string.Join(',', fields);
                return ($"replace field {field + 1} on line {line + 1}", Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));
            }
        }
    }
}
