using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace CarePlanMesh.FrontDoor;

/// <summary>The proxy's routes and its one cluster, the intake replicas, and what it adds to each request and answer.</summary>
public static class IntakeProxy
{
    public const string ClusterId = "intake";
    public const string RequestTimeout = "front-door";
    public const string UploadTimeout = "front-door-upload";
    /// <summary>Names the replica that answered, so that ops can tell which one a caller reached.</summary>
    public const string ReplicaHeader = "X-CarePlanMesh-Replica";
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>
    /// Everything goes to intake (only from the public port, see EdgeMiddleware.PublicPortOnly: the Host header names the
    /// load balancer's port, not ours); uploads get the upload deadline and the event stream none.
    /// </summary>
    public static IReadOnlyList<RouteConfig> Routes() =>
    [
        new() { RouteId = "events", ClusterId = ClusterId, TimeoutPolicy = "Disable", Match = new() { Path = "/v1/events", Methods = ["GET"] } },
        new() { RouteId = "submissions", ClusterId = ClusterId, TimeoutPolicy = UploadTimeout, Match = new() { Path = "/v1/submissions", Methods = ["POST"] } },
        new() { RouteId = "validate", ClusterId = ClusterId, TimeoutPolicy = UploadTimeout, Match = new() { Path = "/v1/validate", Methods = ["POST"] } },
        new() { RouteId = "api", ClusterId = ClusterId, TimeoutPolicy = RequestTimeout, Match = new() { Path = "/{**path}" } },
    ];

    public static ClusterConfig Cluster(FrontDoorOptions options) => new()
    {
        ClusterId = ClusterId,
        LoadBalancingPolicy = "RoundRobin",
        Destinations = options.Intake.ToDictionary(r => r.Key, r => new DestinationConfig { Address = r.Value.Address, Health = r.Value.Health }),
        HealthCheck = new()
        {
            Active = new()
            {
                Enabled = true,
                Interval = options.HealthInterval,
                Timeout = options.HealthTimeout,
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                Path = "/health/ready",
            },
            // A replica whose share of failed requests grows is taken out between two probes, and tried again after the
            // reactivation period; a single refused connection is retried on another replica (EdgeMiddleware).
            Passive = new() { Enabled = true, Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate, ReactivationPeriod = options.HealthInterval * 2 },
            // With every replica unready, try them all anyway: one whose broker or database is down still answers its own 503.
            AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
        },
        Metadata = new Dictionary<string, string>
        {
            [ConsecutiveFailuresHealthPolicyOptions.ThresholdMetadataName] = "1",
        },
        // The event stream sends a heartbeat every 15 s (Events:Heartbeat): two minutes of silence is a dead replica.
        HttpRequest = new() { ActivityTimeout = TimeSpan.FromMinutes(2) },
    };

    /// <summary>
    /// The office's certificate goes to intake only from the TLS connection: a header of the same name sent by the caller is
    /// dropped. The request id travels on to intake, and the answer names the replica.
    /// </summary>
    public static void Transforms(TransformBuilderContext context)
    {
        var header = context.Services.GetRequiredService<IOptions<FrontDoorOptions>>().Value.ForwardedCertificateHeader;
        context.AddRequestTransform(transform =>
        {
            transform.ProxyRequest.Headers.Remove(header);
            if (transform.HttpContext.Connection.ClientCertificate is { } certificate)
                transform.ProxyRequest.Headers.TryAddWithoutValidation(header, Uri.EscapeDataString(certificate.ExportCertificatePem()));
            return ValueTask.CompletedTask;
        });
        context.AddResponseTransform(transform =>
        {
            if (transform.HttpContext.Features.Get<IReverseProxyFeature>()?.ProxiedDestination is { } replica)
                transform.HttpContext.Response.Headers[ReplicaHeader] = replica.DestinationId;
            return ValueTask.CompletedTask;
        });
    }
}
