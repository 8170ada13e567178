using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using CarePlanMesh.Standard;
using CsvHelper;
using CsvHelper.Configuration;

namespace CarePlanMesh.Benchmarks;

/// <summary>
/// Issue #3 §10: validating a 第6表 of 200,000 records takes at most twice a bare CsvHelper parse of the same bytes.
/// Both run in one BenchmarkDotNet run; the Ratio column is the factor.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class ValidationBenchmarks
{
    byte[] _file = [];
    Encoding _ms932 = Encoding.ASCII;

    [Params(200_000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _file = Table6File.Create(Records);
        // The baseline decodes with the platform's own code page 932, independent of the library under test.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        _ms932 = Encoding.GetEncoding(932);
        // The benchmark is only meaningful on a valid file: every record is checked through to the end.
        var report = FileValidator.Validate(Table6File.Name, _file);
        if (!report.IsValid || report.RecordCount != Records)
            throw new InvalidOperationException($"The generated file is not valid: {string.Join("; ", report.Defects.Take(5))}");
        Console.WriteLine($"// Generated {Table6File.Name}: {_file.Length:N0} bytes, {report.RecordCount:N0} records, {report.Defects.Count} defects.");
    }

    /// <summary>Decode the MS932 bytes and read every field of every record with CsvHelper, nothing else.</summary>
    [Benchmark(Baseline = true)]
    public int BareCsvHelperParse()
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false, Mode = CsvMode.RFC4180 };
        using var parser = new CsvParser(new StreamReader(new MemoryStream(_file), _ms932), config);
        var characters = 0;
        while (parser.Read())
            for (var i = 0; i < parser.Count; i++)
                characters += parser[i].Length;
        return characters;
    }

    /// <summary>Everything the validation service does with a file: strict MS932, syntax, every field, record and file rule.</summary>
    [Benchmark]
    public int Validate() => FileValidator.Validate(Table6File.Name, _file).RecordCount;
}
