using System.Diagnostics;
using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.ServiceDefaults.MessageData;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Submissions;

public sealed class SweeperOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a claimed instance is left alone before it may be claimed again if its event was lost.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);
    public int BatchSize { get; set; } = 200;
}

/// <summary>
/// Deadlines live in PostgreSQL (the local RabbitMQ has no delayed-message plugin): this sweep turns every passed
/// deadline into a <see cref="SubmissionStepOverdue"/> for the saga, which re-drives the step, fails it, or expires the
/// delivery. A crash anywhere between a saga write and its command therefore delays a submission, never loses it.
/// Runs in every intake replica; FOR UPDATE SKIP LOCKED keeps them apart. Also sends the due pickup reminders
/// (<see cref="PickupReminderCheck"/>) and purges expired claim-check payloads.
/// </summary>
public sealed class SubmissionSweeper(
    SubmissionStore store,
    PickupReminderCheck reminders,
    PostgresMessageDataRepository payloads,
    IBus bus,
    IOptions<SweeperOptions> options,
    ILogger<SubmissionSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        do
        {
            try
            {
                await SweepOnce(stoppingToken);
            }
            // Anything but the service's own stop: a publish the bus cancels while the watchdog restarts it ends in a
            // TaskCanceledException, and a sweeper that ended there would stop the service.
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(exception, "Submission sweep failed; trying again in {Interval}", options.Value.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> SweepOnce(CancellationToken cancellationToken)
    {
        var overdue = await store.ClaimOverdue(options.Value.Lease, options.Value.BatchSize, cancellationToken);
        foreach (var (id, state, deadline, traceParent) in overdue)
        {
            // The re-drive continues the submission's trace (begun by the request that submitted it) rather than starting one.
            using var redrive = StoredTraces.Continue("submission redrive", ActivityKind.Internal, traceParent);
            redrive?.SetTag("careplanmesh.submission_id", id.ToString());
            redrive?.SetTag("careplanmesh.submission_state", state);
            await bus.Publish(new SubmissionStepOverdue { SubmissionId = id, State = state, Deadline = deadline }, cancellationToken);
        }
        if (overdue.Count > 0)
            logger.LogInformation("Re-drove {Count} overdue submissions", overdue.Count);

        var reminded = await reminders.RemindOnce(options.Value.BatchSize, cancellationToken);
        if (reminded > 0)
            logger.LogInformation("Reminded recipients of {Count} deliveries not picked up", reminded);

        var purged = await payloads.PurgeExpired(cancellationToken);
        if (purged > 0)
            logger.LogInformation("Purged {Count} expired payloads", purged);
        return overdue.Count;
    }
}
