using System.Collections.Concurrent;
using CarePlanMesh.ServiceDefaults.Health;
using CarePlanMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>
/// A background job that fails stops the service with exit code 1, so that "restart on failure" starts it again; .NET 10 on
/// its own exits with 0 there. A stop asked for from outside keeps exit code 0.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class FailedJobExitTests(DatabaseFixture database)
{
    readonly ConcurrentQueue<string> _log = new();

    [Fact]
    public async Task A_job_that_fails_stops_the_service_with_exit_code_1_and_is_named()
    {
        await using var app = await Start<FailingJob>();
        var stopping = new TaskCompletionSource();
        app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        try
        {
            await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await app.StopAsync();
            Assert.Equal(FailedJobExit.ExitCode, Environment.ExitCode);
            var line = Assert.Single(_log, l => l.Contains("Background jobs failed", StringComparison.Ordinal));
            Assert.Contains(nameof(FailingJob), line);
            Assert.Contains("Exiting with code 1", line);
        }
        finally
        {
            // The exit code belongs to the test process here, not to a service.
            Environment.ExitCode = 0;
        }
    }

    [Fact]
    public async Task A_stop_from_outside_keeps_exit_code_0_though_jobs_end_cancelled()
    {
        await using var app = await Start<WaitingJob>();
        await app.StopAsync();
        Assert.Equal(0, Environment.ExitCode);
        Assert.True(app.Services.GetServices<IHostedService>().OfType<WaitingJob>().Single().ExecuteTask!.IsCanceled);
        Assert.DoesNotContain(_log, l => l.Contains("Background jobs failed", StringComparison.Ordinal));
    }

    Task<Microsoft.AspNetCore.Builder.WebApplication> Start<TJob>() where TJob : BackgroundService =>
        TestService.Start(database, "failed-job", builder =>
        {
            builder.Services.AddHostedService<TJob>();
            builder.Logging.AddProvider(new LogRecorder(_log, LogLevel.Information));
        }, _ => { });

    sealed class FailingJob : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            throw new InvalidOperationException("the job failed");
        }
    }

    sealed class WaitingJob : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }
}
