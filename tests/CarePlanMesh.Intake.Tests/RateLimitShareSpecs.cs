using CarePlanMesh.Intake.RateLimits;

namespace CarePlanMesh.Intake.Tests;

/// <summary>Each intake replica's share of an office's limit (docs/api.md, "Rate limits").</summary>
public sealed class RateLimitShareSpecs
{
    static readonly RateLimitOptions Limits = new()
    {
        PermitsPerSecond = 50,
        Burst = 200,
        Offices = { ["0300000100"] = new OfficeRateLimit { PermitsPerSecond = 1, Burst = 5 } },
    };

    [Fact]
    public void One_replica_holds_the_whole_limit() =>
        Assert.Equal((50, 200), Limits.Share("0300000005", 1));

    [Fact]
    public void Replicas_divide_the_limit_rounding_up_so_no_office_is_held_below_it() =>
        Assert.Equal((17, 67), Limits.Share("0300000005", 3));

    [Fact]
    public void An_office_of_its_own_limit_gets_at_least_one_permit_per_second_on_each_replica() =>
        Assert.Equal((1, 3), Limits.Share("0300000100", 2));

    [Fact]
    public void Per_replica_limits_are_not_divided()
    {
        var perReplica = new RateLimitOptions { PermitsPerSecond = 50, Burst = 200, PerReplica = true };

        Assert.Equal((50, 200), perReplica.Share("0300000005", 4));
    }
}
