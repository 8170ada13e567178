using System.Diagnostics;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The built `cpm` run as a separate process, as an office or an operator runs it.</summary>
static class CpmProcess
{
    /// <summary>Runs cpm in <paramref name="work"/> with <paramref name="environment"/>; its exit code and both outputs.</summary>
    public static async Task<CpmRun> Run(string work, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [MeshFixture.BuiltAssembly(Path.Combine("clients", "CarePlanMesh.Cli"), "cpm.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work,
        };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CpmRun(process.ExitCode, await output, await error);
    }

    /// <summary>`cpm ops errors ...` against the mesh's broker, with its audit log in <paramref name="work"/>/audit.jsonl.</summary>
    public static Task<CpmRun> OpsErrors(MeshFixture mesh, string work, params string[] args) =>
        Run(work, new Dictionary<string, string>
        {
            ["CPM_BROKER"] = mesh.RabbitMq.ToString(),
            ["CPM_OPS_AUDIT"] = Path.Combine(work, "audit.jsonl"),
            ["CPM_OPERATOR"] = "ops-test",
        }, ["ops", "errors", .. args]);
}

/// <summary>One run of cpm: its exit code and both outputs.</summary>
public sealed record CpmRun(int ExitCode, string Output, string Error)
{
    /// <summary>Asserts the exit code; a failure shows what cpm printed, which says why (a refusal's problem, a usage error).</summary>
    public CpmRun AssertExit(int expected)
    {
        Assert.True(ExitCode == expected, $"cpm exited with {ExitCode}, expected {expected}.\n--- standard output ---\n{Output}\n--- standard error ---\n{Error}");
        return this;
    }
}
