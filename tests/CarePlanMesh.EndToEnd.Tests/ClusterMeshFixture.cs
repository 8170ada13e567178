namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The whole mesh on a three-node RabbitMQ cluster of its own (the Debian binaries on free ports) with quorum queues, and on the
/// shared test PostgreSQL. Every service lists the three nodes in RabbitMq:ClusterNodes and so connects to the first one, which
/// the cluster test kills with -9.
/// </summary>
public sealed class ClusterMeshFixture : MeshFixture
{
    public const int Size = 3;

    public LocalRabbitCluster Cluster { get; private set; } = null!;

    protected override async Task<Infrastructure> StartInfrastructure()
    {
        var shared = await Infrastructure.GetAsync();
        Cluster = await LocalRabbitCluster.StartAsync(Size);
        return Cluster.InfrastructureOn(shared.PostgresAdminConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    protected override void Configure(string service, Dictionary<string, string> environment)
    {
        environment["RabbitMq__QuorumQueues"] = "true";
        for (var i = 0; i < Cluster.Addresses.Count; i++)
            environment[$"RabbitMq__ClusterNodes__{i}"] = Cluster.Addresses[i];
        // Steps re-driven after a minute, failed after five: a step command the broker refused before its service reopened the
        // connection (RefusedPublishRecovery) waits for its consumer's retries, which can outlast the fault test's 15 s steps
        // on a loaded machine; the test is about losing nothing, not about step budgets.
        environment["Submissions__StepTimeout"] = "00:01:00";
        WatchdogForFaults(environment);
        environment["RateLimits__PermitsPerSecond"] = "1000";
        environment["RateLimits__Burst"] = "10000";
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterMeshFixture>
{
    public const string Name = "cluster";
}
