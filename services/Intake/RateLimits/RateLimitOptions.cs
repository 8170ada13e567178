namespace CarePlanMesh.Intake.RateLimits;

/// <summary>Configuration section "RateLimits": a token bucket per office on each intake replica.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests an office may make per second, on average.</summary>
    public int PermitsPerSecond { get; set; } = 50;
    /// <summary>Requests an office may make at once after being idle (the bucket's size).</summary>
    public int Burst { get; set; } = 200;
    /// <summary>Limits of single offices by office number (e.g. RateLimits:Offices:0300000100:PermitsPerSecond); unset values are the defaults above.</summary>
    public Dictionary<string, OfficeRateLimit> Offices { get; set; } = [];

    public (int PermitsPerSecond, int Burst) For(string office) =>
        Offices.TryGetValue(office, out var own) ? (own.PermitsPerSecond ?? PermitsPerSecond, own.Burst ?? Burst) : (PermitsPerSecond, Burst);
}

public sealed class OfficeRateLimit
{
    public int? PermitsPerSecond { get; set; }
    public int? Burst { get; set; }
}
