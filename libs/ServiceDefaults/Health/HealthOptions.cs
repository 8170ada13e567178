namespace CarePlanMesh.ServiceDefaults.Health;

/// <summary>Configuration section "Health".</summary>
public sealed class HealthOptions
{
    /// <summary>How long a receive endpoint may stay down before /health/live fails and the watchdog restarts the bus.</summary>
    public TimeSpan EndpointGrace { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>How often the watchdog looks.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromSeconds(5);
}
