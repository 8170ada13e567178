namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The whole mesh on a RabbitMQ and a PostgreSQL of its own, which the fault test kills with -9 and starts again. Steps
/// time out and endpoints are judged within seconds rather than minutes, so the faults play out in a test's time.
/// </summary>
public sealed class FaultMeshFixture : MeshFixture
{
    /// <summary>How long a receive endpoint may go without a consumer before the watchdog restarts the bus (Health:EndpointGrace).</summary>
    public static readonly TimeSpan EndpointGrace = TimeSpan.FromSeconds(15);

    public PrivateServers Servers { get; private set; } = null!;

    /// <summary>The last line of a service's log that contains <paramref name="text"/> (every run of it appends to the same log).</summary>
    public string LastLine(string service, string text)
    {
        using var reader = new StreamReader(new FileStream(Path.Combine(DemoDirectory, $"{service}.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd().Split('\n').LastOrDefault(line => line.Contains(text, StringComparison.Ordinal))?.Trim() ?? "(not in its log)";
    }

    protected override async Task<Infrastructure> StartInfrastructure()
    {
        Servers = await Infrastructure.StartPrivateAsync();
        return Servers.Infrastructure;
    }

    protected override void Configure(string service, Dictionary<string, string> environment)
    {
        environment["Submissions__StepTimeout"] = "00:00:15";
        environment["Health__EndpointGrace"] = EndpointGrace.ToString();
        environment["Health__WatchdogInterval"] = "00:00:02";
        // The test downloads and acknowledges every unit of the stream at once afterwards: not what rate limits are for.
        environment["RateLimits__PermitsPerSecond"] = "1000";
        environment["RateLimits__Burst"] = "10000";
    }
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultMeshFixture>
{
    public const string Name = "faults";
}
