using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Idempotency;

/// <summary>Deletes idempotency keys past their window, on every replica (the delete is the same wherever it runs).</summary>
public sealed class IdempotencyPurge(IdempotencyStore store, IOptions<IdempotencyOptions> options, ILogger<IdempotencyPurge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval);
        do
        {
            try
            {
                var purged = await store.Purge(options.Value.Window, stoppingToken);
                if (purged > 0)
                    logger.LogInformation("Purged {Count} idempotency keys past their window", purged);
            }
            catch (Npgsql.NpgsqlException exception)
            {
                logger.LogWarning("Purging idempotency keys failed ({ExceptionType}); trying again at the next interval", exception.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
