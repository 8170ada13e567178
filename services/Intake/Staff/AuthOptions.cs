namespace CarePlanMesh.Intake.Staff;

/// <summary>Configuration section "Auth": staff sign-in at the edge (issue #4 §2).</summary>
public sealed class AuthOptions
{
    /// <summary>Accepted user-ID prefixes: KJ (the operator's help-desk form) and ID (its start guide). HD is always refused.</summary>
    public List<string> UserIdPrefixes { get; set; } = ["KJ", "ID"];
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
    public int MaxFailedAttempts { get; set; } = 5;
    public TimeSpan LockoutPeriod { get; set; } = TimeSpan.FromMinutes(15);
}
