using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CarePlanMesh.LoadHarness;

/// <summary>The figures of one run, worked out from the offers, the timelines, the two CPU snapshots and PostgreSQL's counters.</summary>
public sealed class RunResult
{
    readonly HarnessOptions _options;
    readonly int _offices;
    readonly double _seconds;
    readonly int _offered;
    readonly int _accepted;
    readonly int _completed;
    readonly int _unfinished;
    readonly double[] _latencies;
    readonly SortedDictionary<string, int> _errors = new(StringComparer.Ordinal);
    readonly SortedDictionary<string, double> _cpuMs = new(StringComparer.Ordinal);
    readonly double _harnessCpuMs;
    readonly double _machineBusy;
    readonly double _otherCpuMs;
    readonly string _loadBefore;
    readonly string _loadAfter;
    readonly DatabaseUse _database;

    public RunResult(HarnessOptions options, int offices, IReadOnlyList<Offer> offers, IReadOnlyDictionary<Guid, Outcome> outcomes,
        CpuSnapshot before, CpuSnapshot after, DateTimeOffset start, DateTimeOffset end, DatabaseUse database)
    {
        _database = database;
        _options = options;
        _offices = offices;
        _seconds = (end - start).TotalSeconds;
        var measured = offers.Where(o => o.Measured).ToList();
        _offered = measured.Count;
        _accepted = measured.Count(o => o.Id is not null);
        // Throughput counts every submission that reached AwaitingPickup inside the window, sent before it or not: the
        // CPU of the window is spent on those.
        _completed = outcomes.Values.Count(o => o.AwaitingPickup is { } at && at >= start && at < end);

        foreach (var error in measured.Where(o => o.Error is not null).Select(o => o.Error!))
            _errors[error] = _errors.GetValueOrDefault(error) + 1;
        var measuredOutcomes = measured.Where(o => o.Id is not null).Select(o => outcomes[o.Id!.Value]).ToList();
        foreach (var outcome in measuredOutcomes.Where(o => o.AwaitingPickup is null && !LoadRun.InFlight(o.State)))
            _errors[$"state {outcome.State}"] = _errors.GetValueOrDefault($"state {outcome.State}") + 1;
        _unfinished = measuredOutcomes.Count(o => LoadRun.InFlight(o.State));
        _latencies = [.. measuredOutcomes
            .Where(o => o is { Received: not null, AwaitingPickup: not null })
            .Select(o => (o.AwaitingPickup!.Value - o.Received!.Value).TotalMilliseconds)
            .Order()];

        foreach (var (name, ticks) in after.Ticks)
            _cpuMs[name] = (ticks - before.Ticks.GetValueOrDefault(name)) * ProcessCpu.MillisecondsPerTick;
        _harnessCpuMs = (after.HarnessTicks - before.HarnessTicks) * ProcessCpu.MillisecondsPerTick;
        var busy = (after.MachineBusy - before.MachineBusy) * ProcessCpu.MillisecondsPerTick;
        _machineBusy = busy / ((after.MachineTotal - before.MachineTotal) * ProcessCpu.MillisecondsPerTick);
        _otherCpuMs = busy - _cpuMs.Values.Sum() - _harnessCpuMs;
        _loadBefore = before.LoadAverage;
        _loadAfter = after.LoadAverage;
    }

    /// <summary>Nearest rank: the smallest value with at least p % of the values at or below it.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    double? PerSubmission(double ms) => _completed == 0 ? null : ms / _completed;

    public string Table()
    {
        static string Ms(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "–";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{(_options.Rate is { } rate ? $"{rate:0.##}/s offered" : $"max ({_options.Concurrency} in flight)")}, {_offices} office(s), {_seconds:0.0} s measured after {_options.Warmup.TotalSeconds:0} s warm-up");
        text.AppendLine(CultureInfo.InvariantCulture, $"offered {_offered} ({_offered / _seconds:0.0}/s), accepted {_accepted}, reached AwaitingPickup in the window {_completed} ({_completed / _seconds:0.0}/s), unfinished {_unfinished}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Received → AwaitingPickup ms (n={_latencies.Length}): p50 {Ms(Percentile(_latencies, 50))}  p95 {Ms(Percentile(_latencies, 95))}  p99 {Ms(Percentile(_latencies, 99))}  max {Ms(_latencies.LastOrDefault())}");
        text.AppendLine(_errors.Count == 0 ? "errors: none" : $"errors: {string.Join(", ", _errors.Select(e => $"{e.Key} ×{e.Value}"))}");
        text.AppendLine();
        text.AppendLine($"{"process",-24} {"CPU ms",10} {"ms/submission",14}");
        foreach (var (name, ms) in _cpuMs.OrderByDescending(c => c.Value))
            text.AppendLine(CultureInfo.InvariantCulture, $"{name,-24} {ms,10:0} {Ms(PerSubmission(ms)),14}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"total (mesh)",-24} {_cpuMs.Values.Sum(),10:0} {Ms(PerSubmission(_cpuMs.Values.Sum())),14}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"harness (not in total)",-24} {_harnessCpuMs,10:0} {Ms(PerSubmission(_harnessCpuMs)),14}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"other processes",-24} {_otherCpuMs,10:0}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"machine: {Environment.ProcessorCount} CPUs {_machineBusy:P0} busy; load average before {_loadBefore}, after {_loadAfter}");
        text.AppendLine(_database.Counted is { } db
            ? string.Create(CultureInfo.InvariantCulture,
                $"postgresql per submission: {Ms(PerSubmission(db.Commits))} commits, {Ms(PerSubmission(db.Rollbacks))} rollbacks, {Ms(PerSubmission(db.WalRecords))} WAL records, {Ms(PerSubmission(db.WalBytes / 1024.0))} KiB of WAL, {Ms(PerSubmission(db.WalSyncs))} WAL flushes")
            : $"postgresql counters: not read ({_database.Problem})");
        return text.ToString();
    }

    public string Json()
    {
        static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
        return JsonSerializer.Serialize(new
        {
            date = DateTimeOffset.UtcNow,
            rate = _options.Rate is { } rate ? rate.ToString(CultureInfo.InvariantCulture) : "max",
            concurrency = _options.Rate is null ? _options.Concurrency : (int?)null,
            offices = _offices,
            seconds = Round(_seconds),
            warmupSeconds = _options.Warmup.TotalSeconds,
            offered = _offered,
            accepted = _accepted,
            completed = _completed,
            throughputPerSecond = Round(_completed / _seconds),
            unfinished = _unfinished,
            latencyMs = new
            {
                n = _latencies.Length,
                p50 = Round(Percentile(_latencies, 50)),
                p95 = Round(Percentile(_latencies, 95)),
                p99 = Round(Percentile(_latencies, 99)),
                max = Round(_latencies.LastOrDefault()),
            },
            errors = _errors,
            cpuMsPerSubmission = _cpuMs.ToDictionary(c => c.Key, c => Round(PerSubmission(c.Value)))
                .Append(new("total", Round(PerSubmission(_cpuMs.Values.Sum())))).ToDictionary(),
            harnessCpuMsPerSubmission = Round(PerSubmission(_harnessCpuMs)),
            otherCpuMs = Round(_otherCpuMs),
            postgresPerSubmission = _database.Counted is { } db
                ? new
                {
                    commits = Round(PerSubmission(db.Commits)),
                    rollbacks = Round(PerSubmission(db.Rollbacks)),
                    walRecords = Round(PerSubmission(db.WalRecords)),
                    walKiB = Round(PerSubmission(db.WalBytes / 1024.0)),
                    walFlushes = Round(PerSubmission(db.WalSyncs)),
                }
                : null,
            machine = new { cpus = Environment.ProcessorCount, busy = Math.Round(_machineBusy, 3), loadAverageBefore = _loadBefore, loadAverageAfter = _loadAfter },
        });
    }
}
