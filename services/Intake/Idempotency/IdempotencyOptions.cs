namespace CarePlanMesh.Intake.Idempotency;

/// <summary>Configuration section "Idempotency".</summary>
public sealed class IdempotencyOptions
{
    /// <summary>How long a key's answer is replayed; older keys are purged and may be used again.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(24);
    /// <summary>How long a request with the key of one still running waits for its answer before a 409.</summary>
    public TimeSpan InProgressWait { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>After this, a first request that never answered (its replica died) no longer holds its key.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}
