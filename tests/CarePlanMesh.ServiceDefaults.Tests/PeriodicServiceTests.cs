using System.Collections.Concurrent;
using CarePlanMesh.Testing;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>
/// What ends a periodic job: a run that fails transiently (here: cancelled by something other than the service's stop, as a
/// publish is while the watchdog restarts the bus) is logged and runs again; a run that fails otherwise ends the job, which
/// <see cref="Health.FailedJobExit"/> then turns into exit code 1.
/// </summary>
public sealed class PeriodicServiceTests
{
    [Fact]
    public async Task A_run_cancelled_from_elsewhere_is_logged_and_the_job_runs_again()
    {
        var log = new ConcurrentQueue<string>();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(new LogRecorder(log, LogLevel.Warning)));
        var job = new FailingOnce(new TaskCanceledException("The bus stopped"), loggers.CreateLogger<FailingOnce>());
        await job.StartAsync(CancellationToken.None);
        try
        {
            await Poll.Until(() => Task.FromResult(job.Runs >= 2 || job.ExecuteTask!.IsCompleted), TimeSpan.FromSeconds(10), () => $"{job.Runs} runs");
            Assert.False(job.ExecuteTask!.IsCompleted, $"The job ended: {job.ExecuteTask.Status}");
            Assert.Contains(log, line => line.Contains("FailingOnce failed (TaskCanceledException); it runs again", StringComparison.Ordinal));
        }
        finally
        {
            await job.StopAsync(CancellationToken.None);
        }
        Assert.True(job.ExecuteTask!.IsCompletedSuccessfully, "A stop asked for ends the job without a failure");
    }

    [Fact]
    public async Task A_run_that_fails_otherwise_ends_the_job()
    {
        using var loggers = LoggerFactory.Create(_ => { });
        var job = new FailingOnce(new InvalidOperationException("a bug"), loggers.CreateLogger<FailingOnce>());
        await job.StartAsync(CancellationToken.None);
        await Poll.Until(() => Task.FromResult(job.ExecuteTask!.IsCompleted), TimeSpan.FromSeconds(10), () => $"{job.Runs} runs");
        Assert.True(job.ExecuteTask!.IsFaulted);
        Assert.Equal(1, job.Runs);
        await job.StopAsync(CancellationToken.None);
    }

    sealed class FailingOnce(Exception failure, ILogger logger) : PeriodicService(TimeSpan.FromMilliseconds(100), logger)
    {
        int _runs;

        public int Runs => _runs;

        protected override Task RunOnce(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _runs) == 1 ? Task.FromException(failure) : Task.CompletedTask;
    }
}
