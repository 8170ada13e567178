using System.Diagnostics.Metrics;
using CarePlanMesh.Intake.Submissions.StateMachines;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.ServiceDefaults.Metrics;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>
/// The submission saga's metrics (docs/operations.md): transitions as the database committed them, the time each step
/// took and from receipt to the recipient's mailbox; labels are state names only, never offices or ids.
/// </summary>
public static class SubmissionMetrics
{
    static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600, 86400, 604800],
    };

    static readonly Counter<long> Entered = ServiceDefaultsExtensions.Meter.CreateCounter<long>(
        "careplanmesh.submissions", "{submission}", "Submissions that entered each state (label state)");
    static readonly Counter<long> Finished = ServiceDefaultsExtensions.Meter.CreateCounter<long>(
        "careplanmesh.submissions.finished", "{submission}", "Submissions that reached a final state (label outcome)");
    static readonly Histogram<double> StepDuration = ServiceDefaultsExtensions.Meter.CreateHistogram(
        "careplanmesh.submission.step.duration", "s", "Time spent in each state before leaving it (label step)", advice: Seconds);
    static readonly Histogram<double> ToMailbox = ServiceDefaultsExtensions.Meter.CreateHistogram(
        "careplanmesh.submission.mailbox.duration", "s", "Time from receipt to the recipient's mailbox", advice: Seconds);

    static readonly HashSet<string> Final = [SubmissionStates.Acknowledged, SubmissionStates.Rejected, SubmissionStates.Failed, SubmissionStates.Expired, SubmissionStates.Withdrawn];

    /// <summary>
    /// Called by the saga repository after a commit (<c>NpgsqlSagaRepositoryOptions.Committed</c>). A commit may enter more
    /// than one state: intake creates an instance in Validating with Received before it in the timeline.
    /// </summary>
    public static void Committed(string? loadedState, SubmissionState submission)
    {
        if (loadedState == submission.CurrentState || submission.Timeline.Count == 0)
            return;
        var timeline = submission.Timeline;
        var first = loadedState is null ? 0 : timeline.FindLastIndex(t => t.State == loadedState) + 1;
        for (var i = first; i < timeline.Count; i++)
        {
            Entered.Add(1, new KeyValuePair<string, object?>("state", timeline[i].State));
            if (i > 0)
                StepDuration.Record((timeline[i].At - timeline[i - 1].At).TotalSeconds, new KeyValuePair<string, object?>("step", timeline[i - 1].State));
        }
        if (Final.Contains(submission.CurrentState))
            Finished.Add(1, new KeyValuePair<string, object?>("outcome", submission.CurrentState));
        if (submission.CurrentState == SubmissionStates.AwaitingPickup)
            ToMailbox.Record((timeline[^1].At - submission.ReceivedAt).TotalSeconds);
    }

    /// <summary>Gauges read from intake.submissions: submissions in flight by state, and the deliveries waiting for pickup.</summary>
    public static WebApplicationBuilder AddSubmissionGauges(this WebApplicationBuilder builder) => builder
        .AddDatabaseGauge(new("careplanmesh.submissions.active", "{submission}", "Submissions not yet in a final state (label state)", "state",
            SubmissionStore.ActiveByStateQuery))
        .AddDatabaseGauge(new("careplanmesh.deliveries.waiting", "{delivery}", "Sealed packages waiting in a mailbox for pickup", null,
            SubmissionStore.WaitingForPickupQuery))
        .AddDatabaseGauge(new("careplanmesh.deliveries.oldest_age", "s", "Age since receipt of the oldest delivery waiting for pickup (0 when none)", null,
            SubmissionStore.OldestWaitingAgeQuery));
}
