using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Health;

/// <summary>
/// A background job (a <see cref="BackgroundService"/>) that ends with an exception stops the host, as .NET's default
/// <see cref="BackgroundServiceExceptionBehavior.StopHost"/> does, but .NET 10 then exits with code 0 (.NET 11 changes that),
/// which a supervisor's "restart on failure" takes for a deliberate stop and leaves the service down. When the application
/// starts stopping while a job has already failed, the exit code becomes <see cref="ExitCode"/> (unless another exit code,
/// such as the watchdog's 3, was set first) and the failed jobs are named.
/// </summary>
public sealed class FailedJobExit(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<FailedJobExit> logger) : IHostedService
{
    public const int ExitCode = 1;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // At ApplicationStopping no job has been cancelled by the stop yet (the host stops them afterwards), so a job that has
        // already ended faulted or cancelled failed by itself.
        lifetime.ApplicationStopping.Register(() =>
        {
            var failed = services.GetServices<IHostedService>().OfType<BackgroundService>()
                .Where(job => job.ExecuteTask is { IsFaulted: true } or { IsCanceled: true })
                .Select(job => job.GetType().Name).Order().ToList();
            if (failed.Count == 0)
                return;
            if (Environment.ExitCode == 0)
                Environment.ExitCode = ExitCode;
            logger.LogCritical("Background jobs failed: {Jobs}. Exiting with code {ExitCode} so that the supervisor starts the service again",
                string.Join(", ", failed), Environment.ExitCode);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
