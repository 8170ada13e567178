using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using CarePlanMesh.Intake.Edge;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.RateLimits;

/// <summary>
/// Rate limits per office (issue #11): every /v1 request of an office takes a token from the office's bucket, so one
/// misbehaving client cannot starve the others; an empty bucket is a 429 rate-limited problem with Retry-After. A token
/// bucket rather than a concurrency limit, so the event stream — one long request — takes one token when it opens and
/// holds nothing while it stays open. Each replica's bucket holds its share of the office's limit (<see cref="IntakeReplicas"/>),
/// so the configured limit is the office's across the replicas the front door balances over; the bucket is replaced when
/// the number of replicas changes.
/// </summary>
public static class OfficeRateLimits
{
    public const string Policy = "office";

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection("RateLimits"))
            .Validate(o => o.For("").PermitsPerSecond > 0 && o.For("").Burst > 0 && o.Offices.Keys.All(office => o.For(office) is ( > 0, > 0)),
                "RateLimits: PermitsPerSecond and Burst must be at least 1, for every office too.")
            .Validate(o => o.ReplicaHeartbeat > TimeSpan.Zero, "RateLimits:ReplicaHeartbeat must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IntakeReplicas>();
        builder.Services.AddHostedService(services => services.GetRequiredService<IntakeReplicas>());
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Policy, context => context.User.FindFirstValue(OfficeCertificateAuthentication.OfficeClaim) is { } office
                ? RateLimitPartition.GetTokenBucketLimiter((Office: office, Replicas: context.RequestServices.GetRequiredService<IntakeReplicas>().Live),
                    key => Bucket(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Share(key.Office, key.Replicas)))
                // Without an office the request is refused by authorization, which is cheap.
                : RateLimitPartition.GetNoLimiter((Office: "", Replicas: 0)));
            limiter.OnRejected = (rejected, _) => Refuse(rejected.HttpContext, rejected.Lease);
        });
        return builder;
    }

    static TokenBucketRateLimiterOptions Bucket((int PermitsPerSecond, int Burst) limit) => new()
    {
        TokenLimit = limit.Burst,
        TokensPerPeriod = limit.PermitsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    static ValueTask Refuse(HttpContext context, RateLimitLease lease)
    {
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new ValueTask(Problems.Of(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests", "要求が多すぎます",
            $"Your office has made more requests than its limit allows; wait {seconds} s (Retry-After) before the next one.",
            $"貴事業所の要求数が上限を超えました。次の要求まで {seconds} 秒（Retry-After）お待ちください。").ExecuteAsync(context));
    }
}
