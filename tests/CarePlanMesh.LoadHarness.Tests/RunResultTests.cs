using CarePlanMesh.LoadHarness;

namespace CarePlanMesh.LoadHarness.Tests;

public class RunResultTests
{
    static readonly DateTimeOffset Start = new(2026, 12, 6, 19, 0, 0, TimeSpan.Zero);

    static RunResult TwoSubmissions(DatabaseUse database)
    {
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid() };
        var offers = ids.Select(id => new Offer(null!, Start.AddSeconds(1), true, id, null)).ToList();
        var outcomes = ids.ToDictionary(id => id, _ => new Outcome("AwaitingPickup", Start.AddSeconds(1), Start.AddSeconds(2)));
        var cpu = new CpuSnapshot(new Dictionary<string, long>(), 0, 0, 100, "0.00 0.00 0.00");
        return new RunResult(HarnessOptions.Parse(["--rate", "2"]), 1, offers, outcomes, cpu with { MachineTotal = 0 }, cpu, Start, Start.AddSeconds(10), database);
    }

    [Fact]
    public void Reports_postgresqls_commits_and_wal_per_submission()
    {
        var result = TwoSubmissions(new DatabaseUse(new DatabaseSnapshot(Commits: 64, Rollbacks: 1, WalRecords: 100, WalBytes: 20480, WalSyncs: 10), null));

        Assert.Contains("postgresql per submission: 32.0 commits, 0.5 rollbacks, 50.0 WAL records, 10.0 KiB of WAL, 5.0 WAL flushes", result.Table());
        Assert.Contains("\"postgresPerSubmission\":{\"commits\":32,\"rollbacks\":0.5,\"walRecords\":50,\"walKiB\":10,\"walFlushes\":5}", result.Json());
    }

    [Fact]
    public void Says_why_postgresqls_counters_are_missing()
    {
        var result = TwoSubmissions(new DatabaseUse(null, "connection refused"));

        Assert.Contains("postgresql counters: not read (connection refused)", result.Table());
        Assert.Contains("\"postgresPerSubmission\":null", result.Json());
    }
}
