using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.ServiceDefaults.Health;

/// <summary>
/// Self-healing without an orchestrator. When receive endpoints stay down past the grace while the broker answers, the
/// watchdog restarts the bus; when the restart fails, or they are still down one grace after it, the process exits with
/// code 3 and a clear log line so that its supervisor (systemd, Kubernetes, deploy/local/up) starts it again.
/// </summary>
public sealed class EndpointWatchdog(
    BusEndpointProbe probe,
    IBusControl bus,
    IHostApplicationLifetime lifetime,
    IOptions<HealthOptions> options,
    TimeProvider clock,
    ILogger<EndpointWatchdog> logger) : BackgroundService
{
    public const int ExitCode = 3;

    DateTimeOffset? _restartedAt;
    DateTimeOffset? _unreachableSince;
    bool _unreachableReported;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.WatchdogInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await Look(stoppingToken))
                    return;
            }
            // A look that fails must not end the watchdog: a BackgroundService that throws stops the host with exit code 0,
            // which a supervisor takes for a deliberate stop.
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError("The watchdog's look failed ({ExceptionType}); it looks again in {Interval}", exception.GetType().Name, options.Value.WatchdogInterval);
            }
        }
    }

    /// <summary>One look: true once the process is to exit.</summary>
    async Task<bool> Look(CancellationToken stoppingToken)
    {
        var grace = options.Value.EndpointGrace;
        var result = await probe.Check(stoppingToken);
        ReportUnreachable(result, grace);
        var downSince = probe.State.DownSince;
        if (result.Healthy)
        {
            if (_restartedAt is not null)
                logger.LogInformation("Every receive endpoint is consuming again after the bus restart");
            _restartedAt = null;
            return false;
        }
        if (!result.BrokerReachable || downSince is null || clock.GetUtcNow() - downSince < grace)
            return false;

        var down = Describe(result.Down);
        if (_restartedAt is null)
        {
            logger.LogWarning("Receive endpoints have not consumed for {Grace}: {Endpoints}. Restarting the bus", grace, down);
            _restartedAt = clock.GetUtcNow();
            if (await RestartBus(stoppingToken))
                return false;
            // A bus that failed to stop and start again is not cured by waiting: exit at once.
            logger.LogCritical("The bus restart did not succeed: {Endpoints}. Exiting with code {ExitCode} so that the supervisor starts the service again",
                down, ExitCode);
            return Exit();
        }
        if (clock.GetUtcNow() - _restartedAt < grace)
            return false;
        logger.LogCritical("Receive endpoints are still not consuming {Grace} after a bus restart: {Endpoints}. Exiting with code {ExitCode} so that the supervisor starts the service again",
            grace, down, ExitCode);
        return Exit();
    }

    bool Exit()
    {
        Environment.ExitCode = ExitCode;
        lifetime.StopApplication();
        return true;
    }

    /// <summary>
    /// The watchdog acts only while the broker answers its probe; one that has not answered for the grace is logged once (with
    /// the endpoints MassTransit reports down), so that a service whose endpoints are dead while the probe cannot reach the
    /// broker says why nothing restarts it.
    /// </summary>
    void ReportUnreachable(BusEndpointProbe.Result result, TimeSpan grace)
    {
        if (result.BrokerReachable)
        {
            if (_unreachableReported)
                logger.LogInformation("The endpoint probe reaches the broker again");
            (_unreachableSince, _unreachableReported) = (null, false);
            return;
        }
        _unreachableSince ??= result.At;
        if (_unreachableReported || result.At - _unreachableSince < grace)
            return;
        _unreachableReported = true;
        logger.LogWarning("The endpoint probe has not reached the broker for {Grace} ({BrokerError}); endpoints MassTransit reports down: {Endpoints}. The watchdog restarts the bus only once the broker answers",
            grace, result.BrokerError, result.Down.Count == 0 ? "none" : Describe(result.Down));
    }

    /// <summary>The endpoints down with their states, in name order: "check-route (Unhealthy), route-submission (NoConsumer)".</summary>
    static string Describe(IReadOnlyDictionary<string, string> down) =>
        string.Join(", ", down.Select(d => $"{d.Key} ({d.Value})").Order());

    /// <summary>
    /// Bounded by the grace. MassTransit's stop waits for every consumer in flight to finish until its token is cancelled
    /// (ConsumerAgent: "Consumer stop canceled"), so a consumer that never finishes would hold the watchdog here for ever.
    /// False when the restart failed or was cut off.
    /// </summary>
    async Task<bool> RestartBus(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(options.Value.EndpointGrace);
        try
        {
            await bus.StopAsync(bounded.Token);
            await bus.StartAsync(bounded.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError("The bus restart did not finish within {Grace}", options.Value.EndpointGrace);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError("The bus restart failed ({ExceptionType})", exception.GetType().Name);
        }
        return false;
    }
}
