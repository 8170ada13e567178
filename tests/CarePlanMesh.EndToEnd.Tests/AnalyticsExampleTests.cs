using System.Diagnostics;
using Npgsql;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// examples/analytics consumes the event stream with a queue and a schema of its own, and nothing of a service:
/// proof that the published events (docs/events.md) are enough to build on.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class AnalyticsExampleTests(MeshFixture mesh)
{
    [Fact]
    public async Task The_example_counts_a_days_submission_events_each_once_from_its_own_queue()
    {
        using var analytics = await StartAnalytics();
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (delivered, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250621090000"), "AwaitingPickup");
        await provider.GetAsync($"/v1/mailbox/{delivered}");
        await provider.PostAsync($"/v1/mailbox/{delivered}/ack", null);
        await mesh.WaitForState(careOffice, delivered, "Acknowledged");
        var (withdrawn, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250621100000"), "AwaitingPickup");
        await careOffice.PostAsync($"/v1/submissions/{withdrawn}/withdraw", null);
        await mesh.WaitForState(careOffice, withdrawn, "Withdrawn");

        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(9));
        await mesh.Eventually(async () =>
            await Counted(today, "SubmissionReceived") >= 2 && await Counted(today, "SubmissionRouted") >= 2
            && await Counted(today, "DeliveryAcknowledged") >= 1 && await Counted(today, "SubmissionCompleted") >= 1
            && await Counted(today, "SubmissionWithdrawn") >= 1);
        // Every counted message is counted once: the counts add up to the message ids recorded.
        Assert.Equal(await mesh.Count("analytics.counted_messages"), await Scalar("SELECT coalesce(sum(count), 0) FROM analytics.daily_counts"));
        Assert.False(analytics.Process.HasExited, analytics.Log());
    }

    async Task<long> Counted(DateOnly day, string eventName) =>
        await Scalar($"SELECT coalesce(sum(count), 0) FROM analytics.daily_counts WHERE day = '{day:yyyy-MM-dd}' AND event = '{eventName}'");

    async Task<long> Scalar(string sql)
    {
        await using var connection = new NpgsqlConnection(mesh.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    async Task<Analytics> StartAnalytics()
    {
        var dll = MeshFixture.BuiltAssembly(Path.Combine("examples", "analytics"), "CarePlanMesh.Examples.Analytics.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["ConnectionStrings__Postgres"] = mesh.PostgresConnectionString;
        start.Environment["ConnectionStrings__RabbitMq"] = mesh.RabbitMq.ToString();
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var analytics = new Analytics(Process.Start(start)!);
        var bound = new TaskCompletionSource();
        analytics.Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            analytics.Add(e.Data);
            if (e.Data.Contains("Analytics consumer bound")) bound.TrySetResult();
        };
        analytics.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) analytics.Add(e.Data); };
        analytics.Process.BeginOutputReadLine();
        analytics.Process.BeginErrorReadLine();
        if (await Task.WhenAny(bound.Task, Task.Delay(TimeSpan.FromSeconds(60))) != bound.Task)
        {
            analytics.Dispose();
            Assert.Fail($"The analytics example did not bind its queue within 60 s:\n{analytics.Log()}");
        }
        return analytics;
    }

    sealed class Analytics(Process process) : IDisposable
    {
        readonly List<string> _lines = [];
        public Process Process { get; } = process;
        public void Add(string line) { lock (_lines) _lines.Add(line); }
        public string Log() { lock (_lines) return string.Join("\n", _lines); }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }
            Process.Dispose();
        }
    }
}
