namespace CarePlanMesh.Intake.RateLimits;

/// <summary>
/// Configuration section "RateLimits": each office's limit across all intake replicas, enforced as a token bucket per office
/// on each replica holding its share (the limit divided by the replicas running, rounded up).
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests an office may make per second, on average.</summary>
    public int PermitsPerSecond { get; set; } = 50;
    /// <summary>Requests an office may make at once after being idle (the bucket's size).</summary>
    public int Burst { get; set; } = 200;
    /// <summary>Limits of single offices by office number (e.g. RateLimits:Offices:0300000100:PermitsPerSecond); unset values are the defaults above.</summary>
    public Dictionary<string, OfficeRateLimit> Offices { get; set; } = [];
    /// <summary>True: the limits are each replica's own, not shared (for balancers that keep a client on one replica).</summary>
    public bool PerReplica { get; set; }
    /// <summary>How often each replica announces itself and counts the others; a replica silent for three heartbeats is not counted.</summary>
    public TimeSpan ReplicaHeartbeat { get; set; } = TimeSpan.FromSeconds(10);

    public (int PermitsPerSecond, int Burst) For(string office) =>
        Offices.TryGetValue(office, out var own) ? (own.PermitsPerSecond ?? PermitsPerSecond, own.Burst ?? Burst) : (PermitsPerSecond, Burst);

    /// <summary>One replica's share of the office's limit when <paramref name="replicas"/> run: the limit divided among them, rounded up.</summary>
    public (int PermitsPerSecond, int Burst) Share(string office, int replicas)
    {
        var (permits, burst) = For(office);
        return PerReplica || replicas <= 1 ? (permits, burst) : ((permits + replicas - 1) / replicas, (burst + replicas - 1) / replicas);
    }
}

public sealed class OfficeRateLimit
{
    public int? PermitsPerSecond { get; set; }
    public int? Burst { get; set; }
}
