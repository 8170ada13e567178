namespace CarePlanMesh.ServiceDefaults.Health;

/// <summary>Configuration section "Health".</summary>
public sealed class HealthOptions
{
    /// <summary>How long a receive endpoint may stay down before /health/live fails and the watchdog restarts the bus.</summary>
    public TimeSpan EndpointGrace { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>How often the watchdog looks.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// How long one look of the endpoint probe may wait for the broker. The broker client waits without end on a listener that
    /// accepts and never answers (a node that is booting or stuck), which would hold the watchdog and every health check.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
