using System.Collections.Concurrent;
using System.Diagnostics;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>One office's `cpm agent`, run as a process with its own folders, as the office PC runs it; killed with SIGKILL when a test says so.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    readonly MeshFixture _mesh;
    readonly string _office;
    readonly ConcurrentQueue<string> _lines = new();
    Process? _process;

    readonly Uri? _relay;

    /// <param name="relay">Another relay address than the mesh's (e.g. one where nothing listens).</param>
    public AgentProcess(MeshFixture mesh, string office, string root, Uri? relay = null)
    {
        _mesh = mesh;
        _relay = relay;
        _office = office;
        Outbox = Path.Combine(root, office, "outbox");
        Inbox = Path.Combine(root, office, "inbox");
        Data = Path.Combine(root, office, "data");
    }

    public string Outbox { get; }
    public string Inbox { get; }
    public string Data { get; }
    /// <summary>The port of the agent's web page, free when the agent was created, so that agents of parallel tests do not collide.</summary>
    public int Port { get; } = Infrastructure.FreePort();

    /// <summary>Every line the agent wrote to standard output, across restarts.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <param name="options">More options for `cpm agent`, e.g. --relay.</param>
    public void Start(params string[] options)
    {
        var start = new ProcessStartInfo("dotnet",
        [
            MeshFixture.BuiltAssembly(Path.Combine("clients", "CarePlanMesh.Cli"), "cpm.dll"), "agent",
            "--office", Path.Combine(_mesh.DemoDirectory, "offices", _office), "--ca", Path.Combine(_mesh.DemoDirectory, "ca.pem"),
            "--url", (_relay ?? _mesh.BaseAddress).ToString(), "--outbox", Outbox, "--inbox", Inbox, "--data", Data,
            "--quiet-seconds", "1", "--incomplete-seconds", "4", "--poll-seconds", "2", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. options,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue($"stderr: {e.Data}"); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Waits until the agent writes a line containing <paramref name="text"/>.</summary>
    public Task WaitForLine(string text, TimeSpan? timeout = null) =>
        Poll.Until(() => Task.FromResult(_lines.Any(l => l.Contains(text, StringComparison.Ordinal))), timeout ?? TimeSpan.FromSeconds(60),
            () => $"The agent of {_office} never wrote '{text}'.\n{Log()}\n{_mesh.Logs()}");

    /// <summary>kill -9: no chance to finish anything.</summary>
    public async Task Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public string Log() => $"--- agent {_office} ---\n{string.Join("\n", _lines)}";

    public async ValueTask DisposeAsync()
    {
        await Kill();
        _process?.Dispose();
    }
}
