using CarePlanMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Idempotency;

/// <summary>Deletes idempotency keys past their window, on every replica (the delete is the same wherever it runs).</summary>
public sealed class IdempotencyPurge(IdempotencyStore store, IOptions<IdempotencyOptions> options, ILogger<IdempotencyPurge> logger)
    : PeriodicService(options.Value.PurgeInterval, logger)
{
    protected override async Task RunOnce(CancellationToken cancellationToken)
    {
        var purged = await store.Purge(options.Value.Window, cancellationToken);
        if (purged > 0)
            logger.LogInformation("Purged {Count} idempotency keys past their window", purged);
    }
}
