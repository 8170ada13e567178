using System.Diagnostics;

namespace CarePlanMesh.Testing;

/// <summary>
/// Stops what the tests started once the test process is gone, however it ends (normal exit, a crash, or the test
/// runner killing it): a detached shell waits for this process to disappear, then runs the clean-up.
/// </summary>
static class Watchdog
{
    public static void CleanUpAfterExit(string cleanUp)
    {
        var script = $"exec >/dev/null 2>&1 </dev/null; while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {cleanUp}";
        var start = new ProcessStartInfo("/usr/bin/setsid", ["/bin/sh", "-c", script])
        {
            RedirectStandardInput = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        using var _ = Process.Start(start) ?? throw new InvalidOperationException("Could not start the clean-up watchdog (setsid).");
    }
}
