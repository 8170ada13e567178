using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace CarePlanMesh.Standard;

/// <summary>Reading the records of a file of the standard once it is known to be valid (reconciliation facts, the agent's local names).</summary>
public static class StandardRecords
{
    /// <summary>
    /// The records of an MS932 CSV file with the line each starts on, as validation counts lines; rows whose field count is
    /// not the layout's (blank lines) are skipped. Throws DecoderFallbackException or CsvHelperException on a file that is
    /// not MS932 CSV.
    /// </summary>
    public static IEnumerable<(string[] Row, int Line)> Read(byte[] content, FileLayout layout)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            Mode = CsvMode.RFC4180,
            DetectColumnCountChanges = false,
            IgnoreBlankLines = false,
        };
        using var csv = new CsvParser(new StringReader(Ms932.Encoding.GetString(content)), config);
        for (var line = 1; csv.Read(); line = csv.RawRow + 1)
        {
            if (csv.Count != layout.FieldCount)
                continue;
            var row = new string[csv.Count];
            for (var i = 0; i < row.Length; i++)
                row[i] = csv[i];
            yield return (row, line);
        }
    }
}
