using CarePlanMesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults;

/// <summary>
/// A job every replica runs every <paramref name="interval"/>, the first time at start. A run that fails on the database
/// or transiently (broker down, timeouts, a publish the bus cancels while the watchdog restarts it) is logged and tried
/// again at the next interval; the jobs are idempotent.
/// Anything else stops the service, loudly, with exit code 1 (<see cref="Health.FailedJobExit"/>).
/// </summary>
public abstract class PeriodicService(TimeSpan interval, ILogger logger) : BackgroundService
{
    protected abstract Task RunOnce(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        do
        {
            try
            {
                await RunOnce(stoppingToken);
            }
            catch (Exception exception) when ((exception is Npgsql.NpgsqlException or OperationCanceledException || TransientErrors.IsTransient(exception))
                && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("{Job} failed ({ExceptionType}); it runs again in {Interval}", GetType().Name, exception.GetType().Name, interval);
            }
        }
        while (await Wait(stoppingToken));
    }

    async Task<bool> Wait(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(interval, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
