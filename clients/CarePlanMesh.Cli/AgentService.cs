using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CarePlanMesh.Cli;

/// <summary>
/// `cpm agent` started by the Windows service control manager (sc.exe create / New-Service, README "For offices"): the
/// generic host's Windows service lifetime reports start and stop to the SCM, and a stop request cancels the agent's
/// token, so it finishes its current step as it does on Ctrl+C. The agent's own exit code becomes the process's.
/// </summary>
static class AgentService
{
    public const string Name = "CarePlanMeshAgent";

    public static async Task<int> Run(ParseResult parsed)
    {
        var exitCode = 0;
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddWindowsService(options => options.ServiceName = Name);
        builder.Services.AddHostedService(services => new Runner(parsed, services.GetRequiredService<IHostApplicationLifetime>(), code =>
        {
            exitCode = code;
            // What the service reports to the SCM when it stops: non-zero lets `sc.exe failureflag` recovery start it again.
            Environment.ExitCode = code;
        }));
        using var host = builder.Build();
        await host.RunAsync();
        return exitCode;
    }

    sealed class Runner(ParseResult parsed, IHostApplicationLifetime lifetime, Action<int> exited) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                // The host, not System.CommandLine, owns termination here: the SCM's stop arrives as stoppingToken.
                exited(await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stoppingToken));
            }
            catch (Exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The host logs the exception (to the Windows event log) and stops; the SCM sees a failed service.
                exited(1);
                throw;
            }
            finally
            {
                lifetime.StopApplication();
            }
        }
    }
}
