namespace CarePlanMesh.Intake.Events;

/// <summary>Configuration section "Events": the office event stream.</summary>
public sealed class EventOptions
{
    /// <summary>How long events are kept for clients resuming with Last-Event-ID.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How often an open stream looks for new events.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>A comment line sent on an idle stream, so that proxies keep the connection open.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}
