using System.Globalization;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;

namespace CarePlanMesh.LoadHarness;

/// <summary>
/// The sample monthly send unit (第6表 予定 UPPLAN + 第7表 UPSIKYU + 補足 UPHOSOKU, written by `cpm samples` into
/// demo/samples) for one sender and recipient under ever new 連番: the duplicate check hashes the file names with their
/// content, so a new 連番 is a new unit. The 連番 count on in seconds from the pair's newest one or from now, whichever
/// is later, so repeated runs never collide and the recipient's mailbox stays in order.
/// </summary>
public sealed class SendUnits(string sender, string recipient, IReadOnlyList<(string Name, string Text)> samples, DateTime first)
{
    public const string SampleSender = "0300000100";
    public const string SampleRecipient = "0300000005";
    const string SampleSerial = "20250525103000";
    static readonly string[] Prefixes = ["UPPLAN_", "UPSIKYU_", "UPHOSOKU_"];
    int _next = -1;

    public string Sender => sender;
    public string Recipient => recipient;

    public static IReadOnlyList<(string Name, string Text)> ReadSamples(string demo)
    {
        var folder = Path.Combine(demo, "samples");
        return [.. Prefixes.Select(prefix =>
        {
            var name = $"{prefix}202506_{SampleSender}_43_{SampleRecipient}_11_{SampleSerial}.CSV";
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path} is missing; deploy/local/up writes the samples there.");
            return (name, Ms932.Encoding.GetString(File.ReadAllBytes(path)));
        })];
    }

    /// <summary>
    /// Care offices (43) with a licence and their licensed 訪問介護 (11) partners from offices.json — the sample unit's
    /// shape — partnered in either direction.
    /// </summary>
    public static IReadOnlyList<(string Sender, string Recipient)> Pairs(string demo)
    {
        var offices = OfficeDirectoryFile.Read(Path.Combine(demo, "offices.json")).ToDictionary(o => o.OfficeNumber);
        return [.. offices.Values
            .Where(o => o.Licensed && o.ServiceTypes.Contains("43"))
            .SelectMany(o => offices.Values
                .Where(p => p.Licensed && p.ServiceTypes.Contains("11") && (o.Partners.Contains(p.OfficeNumber) || p.Partners.Contains(o.OfficeNumber)))
                .Select(p => (o.OfficeNumber, p.OfficeNumber)))
            .OrderBy(pair => pair.Item1, StringComparer.Ordinal).ThenBy(pair => pair.Item2, StringComparer.Ordinal)];
    }

    public static DateTime FirstSerial(string? newest, DateTime now)
    {
        var next = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        return newest is not null && DateTime.TryParseExact(newest, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var latest) && latest >= next
            ? latest.AddSeconds(1)
            : next;
    }

    public MultipartFormDataContent Next()
    {
        var serial = first.AddSeconds(Interlocked.Increment(ref _next)).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var form = new MultipartFormDataContent();
        foreach (var (name, text) in samples)
        {
            var fileName = name.Replace(SampleSerial, serial).Replace($"{SampleSender}_43_{SampleRecipient}_11", $"{sender}_43_{recipient}_11");
            form.Add(new ByteArrayContent(Ms932.Encoding.GetBytes(text.Replace(SampleSender, sender).Replace(SampleRecipient, recipient))), "files", fileName);
        }
        return form;
    }
}
