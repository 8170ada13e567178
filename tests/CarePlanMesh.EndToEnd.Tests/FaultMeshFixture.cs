namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The whole mesh on a RabbitMQ and a PostgreSQL of its own, which the fault test kills with -9 and starts again. Steps
/// time out and endpoints are judged within seconds rather than minutes, so the faults play out in a test's time.
/// </summary>
public sealed class FaultMeshFixture : MeshFixture
{
    public PrivateServers Servers { get; private set; } = null!;

    protected override async Task<Infrastructure> StartInfrastructure()
    {
        Servers = await Infrastructure.StartPrivateAsync();
        return Servers.Infrastructure;
    }

    protected override void Configure(string service, Dictionary<string, string> environment)
    {
        environment["Submissions__StepTimeout"] = "00:00:15";
        WatchdogForFaults(environment);
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
