using System.Globalization;

namespace CarePlanMesh.LoadHarness;

public sealed record HarnessOptions(
    Uri Url, string Demo, string Data, double? Rate, TimeSpan Duration, TimeSpan Warmup, int? Offices, int Concurrency, bool Json, string? Database)
{
    public const string Usage = """
        CarePlanMesh load harness: offers send units to a running mesh (deploy/local/up) and reports throughput,
        Received → AwaitingPickup latency, errors, CPU per submission of every process, and PostgreSQL's commits and WAL
        per submission.

          --url URL          the relay's public API (https://127.0.0.1:7443)
          --demo DIR         the demo folder `up` writes: ca.pem, offices/, offices.json, samples/ (.data/demo)
          --data DIR         the data folder with pids/ and postgres/ (.data)
          --rate N|max       submissions a second, or as fast as they are taken (max)
          --duration 60s     the measured window
          --warmup 10s       offered like the window but not measured
          --offices N        how many partnered, licensed sending offices of offices.json (all)
          --concurrency N    submissions in flight at --rate max (8)
          --database CS      PostgreSQL to read pg_stat_database and pg_stat_wal from, or none (deploy/local's:
                             Host=127.0.0.1;Port=55432;Username=careplanmesh;Password=careplanmesh;Database=careplanmesh)
          --json             also print the result as one JSON line
        """;

    public static HarnessOptions Parse(string[] args)
    {
        var (named, json) = Arguments(args, ["--url", "--demo", "--data", "--rate", "--duration", "--warmup", "--offices", "--concurrency", "--database"]);
        string Get(string name, string fallback) => named.TryGetValue(name, out var value) ? value : fallback;

        var data = Get("--data", ".data");
        var database = Get("--database", DeployLocalDatabase);
        var rate = Get("--rate", "max");
        return new HarnessOptions(
            new Uri(Get("--url", "https://127.0.0.1:7443")),
            Get("--demo", Path.Combine(data, "demo")),
            data,
            rate == "max" ? null : Positive(double.Parse(rate, CultureInfo.InvariantCulture), "--rate"),
            ParseDuration(Get("--duration", "60s")),
            ParseDuration(Get("--warmup", "10s")),
            named.TryGetValue("--offices", out var offices) ? (int)Positive(int.Parse(offices, CultureInfo.InvariantCulture), "--offices") : null,
            (int)Positive(int.Parse(Get("--concurrency", "8"), CultureInfo.InvariantCulture), "--concurrency"),
            json,
            database == "none" ? null : database);
    }

    /// <summary>
    /// A benchmark program's command line: --help prints <paramref name="usage"/> (exit code 0); options that
    /// <paramref name="parse"/> refuses print why and the usage on standard error (exit code 2). Null in both cases.
    /// </summary>
    public static T? CommandLine<T>(string[] args, string usage, Func<string[], T> parse, out int exitCode) where T : class
    {
        exitCode = 0;
        if (args is ["--help" or "-h"])
        {
            Console.WriteLine(usage);
            return null;
        }
        try
        {
            return parse(args);
        }
        // FormatException covers UriFormatException.
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"{e.Message}\n\n{usage}");
            exitCode = 2;
            return null;
        }
    }

    /// <summary>
    /// "--name value" pairs and the --json switch, as the benchmark programs take them; an option not in
    /// <paramref name="known"/>, or one without its value, is refused.
    /// </summary>
    public static (Dictionary<string, string> Named, bool Json) Arguments(string[] args, IReadOnlyCollection<string> known)
    {
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var json = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--json")
                json = true;
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
                named[args[i]] = args[++i];
            else
                throw new ArgumentException($"Unknown or incomplete option '{args[i]}'.");
        }
        if (named.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw new ArgumentException($"Unknown option '{unknown}'.");
        return (named, json);
    }

    /// <summary>The mesh's database as deploy/local/up creates it.</summary>
    public const string DeployLocalDatabase = "Host=127.0.0.1;Port=55432;Username=careplanmesh;Password=careplanmesh;Database=careplanmesh";

    /// <summary>"90s", "2m", "500ms", or plain seconds.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        static double Number(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        return text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => TimeSpan.FromMilliseconds(Number(text[..^2])),
            _ when text.EndsWith('s') => TimeSpan.FromSeconds(Number(text[..^1])),
            _ when text.EndsWith('m') => TimeSpan.FromMinutes(Number(text[..^1])),
            _ => TimeSpan.FromSeconds(Number(text)),
        };
    }

    static double Positive(double value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be above 0.");
}
