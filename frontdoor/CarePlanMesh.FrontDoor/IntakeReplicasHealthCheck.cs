using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace CarePlanMesh.FrontDoor;

/// <summary>
/// Whether any intake replica is ready, as the proxy's active checks last saw them, with each replica's state under
/// "endpoints". Degraded, not unhealthy, when none is: the front door still answers (a 503 problem), and taking it out of
/// the load balancer would turn that into refused connections.
/// </summary>
public sealed class IntakeReplicasHealthCheck(IProxyStateLookup proxy) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!proxy.TryGetCluster(IntakeProxy.ClusterId, out var cluster))
            return Task.FromResult(HealthCheckResult.Degraded("The intake cluster is not configured yet."));
        var replicas = cluster.Destinations.Values.ToDictionary(d => d.DestinationId, d => d.Health.Active switch
        {
            DestinationHealth.Healthy => "Ready",
            DestinationHealth.Unhealthy => "NotReady",
            _ => "Unknown",
        });
        var data = new Dictionary<string, object> { ["endpoints"] = replicas };
        return Task.FromResult(replicas.Values.Any(state => state == "Ready")
            ? HealthCheckResult.Healthy($"{replicas.Values.Count(state => state == "Ready")} of {replicas.Count} intake replicas ready.", data)
            : HealthCheckResult.Degraded("No intake replica is ready.", data: data));
    }
}
