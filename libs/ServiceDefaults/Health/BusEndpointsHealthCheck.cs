using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.ServiceDefaults.Health;

/// <summary>Ready: the broker answers and every receive endpoint of the service has a consumer.</summary>
public sealed class BusEndpointsReadyCheck(BusEndpointProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await probe.Check(cancellationToken);
        if (!result.BrokerReachable)
            return HealthCheckResult.Unhealthy("RabbitMQ does not answer.", data: Endpoints(result));
        return result.Down.Count == 0
            ? HealthCheckResult.Healthy("Every receive endpoint is consuming.")
            : HealthCheckResult.Unhealthy($"Receive endpoints not consuming: {string.Join(", ", result.Down.Keys.Order())}.", data: Endpoints(result));
    }

    static Dictionary<string, object> Endpoints(BusEndpointProbe.Result result) =>
        new() { ["endpoints"] = result.Down.ToDictionary(d => d.Key, d => (object)d.Value) };
}

/// <summary>
/// Live: fails once receive endpoints have stayed down past the grace while the broker answers — the state a restart of
/// the process cures (the watchdog tries a bus restart first). A broker that is down is not cured by restarting us, so
/// that alone never fails liveness. Probes afresh, so that it tells the truth however long ago the watchdog or a
/// readiness probe last looked.
/// </summary>
public sealed class BusEndpointsLiveCheck(BusEndpointProbe probe, IOptions<HealthOptions> options, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await probe.Check(cancellationToken);
        var (last, downSince) = probe.State;
        if (last is null || last.Healthy || !last.BrokerReachable || downSince is null || clock.GetUtcNow() - downSince < options.Value.EndpointGrace)
            return HealthCheckResult.Healthy();
        return HealthCheckResult.Unhealthy(
            $"Receive endpoints have not consumed since {downSince:u}: {string.Join(", ", last.Down.Keys.Order())}.",
            data: new Dictionary<string, object> { ["endpoints"] = last.Down.ToDictionary(d => d.Key, d => (object)d.Value) });
    }
}
