namespace CarePlanMesh.Intake.Retention;

/// <summary>Configuration section "Retention" (issue #5 §4).</summary>
public sealed class RetentionOptions
{
    /// <summary>How long sealed packages (and any payload left) are kept after acknowledgement, expiry, withdrawal or rejection.</summary>
    public TimeSpan SealedPackages { get; set; } = TimeSpan.FromDays(30);
    /// <summary>How far back the same content from the same sender to the same recipient counts as a duplicate.</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromDays(30);
    /// <summary>How long a submission's metadata (states, timeline, digests; no content) is kept for audit: five years.</summary>
    public TimeSpan Metadata { get; set; } = TimeSpan.FromDays(5 * 365 + 1);
    /// <summary>How often the purge runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
    /// <summary>When true the scheduled purge only logs what it would delete.</summary>
    public bool DryRun { get; set; }
    public int BatchSize { get; set; } = 500;
}
