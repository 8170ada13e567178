using System.Globalization;
using CarePlanMesh.LoadHarness;

namespace CarePlanMesh.MeshFloor;

public sealed record FloorOptions(
    double Rate, TimeSpan Duration, TimeSpan Warmup, int Hops, int Commits, int Reads, int RowBytes, string Data, Uri RabbitMq, string Database, bool Json)
{
    /// <summary>Distinct hop message types there are (<see cref="Steps"/>).</summary>
    public const int MaxHops = 16;

    public const string Usage = """
        CarePlanMesh mesh floor: what the mesh's shape costs with no work in it. Each unit is a chain of --hops
        messages through RabbitMQ, each published with a confirm and consumed on its own durable queue through the
        services' own bus settings (ServiceDefaults: retries, in-memory outbox, tracing, metrics), with --commits
        single-row INSERTs and --reads single-row SELECTs, each its own transaction, spread over the hops. Reports
        units/s, chain latency, and CPU ms per unit of this process, RabbitMQ and PostgreSQL (from /proc, as the load
        harness reads them), and PostgreSQL's commits and WAL.

          --rate N           units a second, offered on a fixed schedule (30)
          --duration 60s     the measured window
          --warmup 10s       offered like the window but not measured
          --hops N           messages per unit, 1 to 16 (12: the mesh's deliveries per submission)
          --commits N        writing transactions per unit, each one INSERT (16: the COMMIT records a submission
                             writes, counted with pg_waldump)
          --reads N          read-only transactions per unit, each one SELECT by primary key (13: the rest of a
                             submission's 29 transactions)
          --row-bytes N      bytes of each inserted row's payload (1024: stored inline, no TOAST; the unit then
                             writes less WAL than a submission does)
          --data DIR         the data folder of deploy/local with pids/ and postgres/ (.data)
          --rabbitmq URI     the broker, best a virtual host of its own (amqp://careplanmesh:careplanmesh@127.0.0.1:55672/floor)
          --database CS      PostgreSQL; the run creates and drops the schema mesh_floor (deploy/local's database)
          --json             also print the result as one JSON line
        """;

    public static FloorOptions Parse(string[] args)
    {
        var (named, json) = HarnessOptions.Arguments(args, ["--rate", "--duration", "--warmup", "--hops", "--commits", "--reads", "--row-bytes", "--data", "--rabbitmq", "--database"]);
        string Get(string name, string fallback) => named.TryGetValue(name, out var value) ? value : fallback;
        int Int(string name, string fallback, int min, int max) =>
            int.Parse(Get(name, fallback), CultureInfo.InvariantCulture) is var value && value >= min && value <= max
                ? value
                : throw new ArgumentException($"{name} must be from {min} to {max}.");

        var rate = double.Parse(Get("--rate", "30"), CultureInfo.InvariantCulture);
        return new FloorOptions(
            rate > 0 ? rate : throw new ArgumentException("--rate must be above 0."),
            HarnessOptions.ParseDuration(Get("--duration", "60s")),
            HarnessOptions.ParseDuration(Get("--warmup", "10s")),
            Int("--hops", "12", 1, MaxHops),
            Int("--commits", "16", 0, 1000),
            Int("--reads", "13", 0, 1000),
            Int("--row-bytes", "1024", 0, 1 << 20),
            Get("--data", ".data"),
            new Uri(Get("--rabbitmq", "amqp://careplanmesh:careplanmesh@127.0.0.1:55672/floor")),
            Get("--database", HarnessOptions.DeployLocalDatabase),
            json);
    }

    /// <summary>How many of the unit's commits hop <paramref name="hop"/> (0-based) makes: an even spread, the first hops taking the rest.</summary>
    public int CommitsAt(int hop) => Spread(Commits, hop);

    /// <summary>How many of the unit's reads hop <paramref name="hop"/> makes: an even spread, the last hops taking the rest.</summary>
    public int ReadsAt(int hop) => Spread(Reads, Hops - 1 - hop);

    int Spread(int total, int hop) => total / Hops + (hop < total % Hops ? 1 : 0);
}
