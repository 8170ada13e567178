using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using CarePlanMesh.LoadHarness;
using CarePlanMesh.ServiceDefaults;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CarePlanMesh.MeshFloor;

/// <summary>One run: the bus and the table set up, units offered on a schedule, the window measured, everything removed.</summary>
public static class Floor
{
    /// <summary>0 when every unit finished, 1 when some did not.</summary>
    public static async Task<int> Run(FloorOptions options, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        var mesh = MeshProcesses.Find(options.Data);
        var watched = mesh with { Roots = [.. mesh.Roots.Where(r => r.Name is "rabbitmq" or "postgresql")] };
        foreach (var name in new[] { "rabbitmq", "postgresql" }.Where(n => watched.Roots.All(r => r.Name != n)))
            log.WriteLine($"{name} is not running under {options.Data} (pids/rabbitmq.pid, postgres/postmaster.pid): its CPU is not counted.");

        await using var database = ServiceDefaultsExtensions.DataSource(options.Database, "mesh_floor");
        await using (var setup = database.CreateCommand("""
            DROP SCHEMA IF EXISTS mesh_floor CASCADE;
            CREATE SCHEMA mesh_floor;
            CREATE TABLE mesh_floor.rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, unit uuid NOT NULL, hop int NOT NULL, body bytea NOT NULL);
            """))
            await setup.ExecuteNonQueryAsync(cancellationToken);
        // The row every read fetches (id 1).
        await using (var seed = database.CreateCommand("INSERT INTO mesh_floor.rows (unit, hop, body) VALUES ($1, -1, $2)"))
        {
            seed.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.NewGuid() });
            seed.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = RandomNumberGenerator.GetBytes(options.RowBytes) });
            await seed.ExecuteNonQueryAsync(cancellationToken);
        }

        var run = new FloorRun(options);
        await using var app = Host(options, database, run);
        await app.StartAsync(cancellationToken);
        try
        {
            log.WriteLine($"{options.Hops} hops, {options.Commits} commits and {options.Reads} reads per unit at {options.Rate}/s; watching {string.Join(", ", watched.Roots.Select(r => $"{r.Name} ({r.Pid})"))}");
            var window = await Offer(options, app.Services.GetRequiredService<IBus>(), watched, new DatabaseCounters(options.Database), log, cancellationToken);

            // Units offered in the window finish a little after it; wait for them (30 s at most) for their latency.
            var deadline = Stopwatch.StartNew();
            while (run.Finished.Count < window.OfferedInAll && deadline.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(100, cancellationToken);
            await using var count = database.CreateCommand("SELECT count(*) FROM mesh_floor.rows WHERE hop >= 0");
            var rows = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            var result = Result(options, run, window, rows);
            output.Write(result.Table);
            if (options.Json)
                output.WriteLine(result.Json);
            if (result.Unfinished > 0)
                log.WriteLine($"{result.Unfinished} unit(s) did not finish within 30 s of the window.");
            return result.Unfinished > 0 ? 1 : 0;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await using var drop = database.CreateCommand("DROP SCHEMA IF EXISTS mesh_floor CASCADE");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The services' own hosting and bus (ServiceDefaults), with one consumer per hop and nothing else.</summary>
    static WebApplication Host(FloorOptions options, NpgsqlDataSource database, FloorRun run)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = options.RabbitMq.ToString(),
            // The claim check is set up as in every service, though no hop carries a payload.
            ["MessageData:Keys:floor"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddServiceDefaults("mesh-floor");
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(run);
        builder.AddServiceBus(bus =>
        {
            for (var hop = 0; hop < options.Hops; hop++)
                bus.AddConsumer(Steps.ConsumerType(hop));
        });
        return builder.Build();
    }

    sealed record Window(int OfferedInAll, int Offered, long Start, long End, CpuSnapshot Before, CpuSnapshot After, DatabaseSnapshot? DatabaseBefore, DatabaseSnapshot? DatabaseAfter);

    /// <summary>
    /// Publishes each unit's first hop on a fixed schedule (open loop): rate × (warm-up + duration) units, unit i at
    /// i / rate, and snapshots CPU and PostgreSQL around the units of the window. A machine that stalls delays units
    /// (they are then offered at once to catch up) but never drops them, so the window is measured by the clock.
    /// </summary>
    static async Task<Window> Offer(FloorOptions options, IBus bus, MeshProcesses watched, DatabaseCounters counters, TextWriter log, CancellationToken cancellationToken)
    {
        var warmupUnits = (int)Math.Round(options.Rate * options.Warmup.TotalSeconds);
        var units = warmupUnits + Math.Max(1, (int)Math.Round(options.Rate * options.Duration.TotalSeconds));
        var sends = new List<Task>(units);
        var interval = TimeSpan.FromSeconds(1 / options.Rate);
        var clock = Stopwatch.StartNew();
        CpuSnapshot? before = null;
        DatabaseSnapshot? databaseBefore = null;
        long start = Stopwatch.GetTimestamp();
        for (var unit = 0; unit < units; unit++)
        {
            if (unit == warmupUnits)
            {
                log.WriteLine($"Measuring {units - warmupUnits} units ({options.Duration.TotalSeconds} s)…");
                before = watched.Snapshot();
                databaseBefore = (await counters.Read(cancellationToken)).Snapshot;
                start = Stopwatch.GetTimestamp();
            }
            sends.Add(bus.Publish(Steps.First(Guid.NewGuid()), cancellationToken));
            var next = interval * (unit + 1);
            if (next > clock.Elapsed)
                await Task.Delay(next - clock.Elapsed, cancellationToken);
        }
        var end = Stopwatch.GetTimestamp();
        var after = watched.Snapshot();
        var databaseAfter = (await counters.Read(cancellationToken)).Snapshot;
        await Task.WhenAll(sends);
        return new Window(units, units - warmupUnits, start, end, before!, after, databaseBefore, databaseAfter);
    }

    sealed record FloorResult(string Table, string Json, int Unfinished);

    static FloorResult Result(FloorOptions options, FloorRun run, Window window, long rows)
    {
        var finished = run.Finished.ToArray();
        var reached = finished.Count(f => f.Finished >= window.Start && f.Finished <= window.End);
        var latencies = finished.Where(f => f.Started >= window.Start && f.Started <= window.End)
            .Select(f => Stopwatch.GetElapsedTime(f.Started, f.Finished).TotalMilliseconds).Order().ToArray();
        double Percentile(double p) => RunResult.Percentile(latencies, p * 100) ?? double.NaN;
        double PerUnit(long ticks) => reached == 0 ? double.NaN : ticks * ProcessCpu.MillisecondsPerTick / reached;
        // The window as the clock measured it: longer than --duration when the machine stalled.
        var seconds = Stopwatch.GetElapsedTime(window.Start, window.End).TotalSeconds;
        var unfinished = window.OfferedInAll - finished.Length;
        var cpu = window.After.Ticks.Select(p => (Name: p.Key, Ticks: p.Value - window.Before.Ticks.GetValueOrDefault(p.Key)))
            .Append((Name: "mesh-floor", Ticks: window.After.HarnessTicks - window.Before.HarnessTicks))
            .ToList();
        var total = cpu.Sum(p => p.Ticks);

        var table = new StringWriter();
        table.WriteLine($"{options.Rate}/s offered, {options.Hops} hops, {options.Commits} commits, {options.Reads} reads, {options.RowBytes}-byte rows; {seconds:0.0} s measured after {options.Warmup.TotalSeconds} s warm-up");
        table.WriteLine($"offered {window.Offered} ({window.Offered / seconds:0.0}/s), finished in the window {reached} ({reached / seconds:0.0}/s), unfinished {unfinished}");
        table.WriteLine($"unit latency ms (n={latencies.Length}): p50 {Percentile(0.5):0.0}  p95 {Percentile(0.95):0.0}  p99 {Percentile(0.99):0.0}  max {(latencies.Length > 0 ? latencies[^1] : double.NaN):0.0}");
        table.WriteLine($"rows written: {rows} ({window.OfferedInAll} units × {options.Commits} commits = {(long)window.OfferedInAll * options.Commits})");
        table.WriteLine();
        table.WriteLine($"{"process",-36}{"CPU ms",8}{"ms/unit",15}");
        foreach (var (name, ticks) in cpu)
            table.WriteLine($"{name,-36}{ticks * ProcessCpu.MillisecondsPerTick,8:0}{PerUnit(ticks),15:0.0}");
        table.WriteLine($"{"total",-36}{total * ProcessCpu.MillisecondsPerTick,8:0}{PerUnit(total),15:0.0}");
        var machineBusy = window.After.MachineBusy - window.Before.MachineBusy;
        var busy = (double)machineBusy / Math.Max(1, window.After.MachineTotal - window.Before.MachineTotal);
        table.WriteLine($"{"other processes (idle services too)",-36}{Math.Max(0, machineBusy - total) * ProcessCpu.MillisecondsPerTick,8:0}");
        table.WriteLine($"machine: {Environment.ProcessorCount} CPUs {busy:P0} busy; load average before {window.Before.LoadAverage}, after {window.After.LoadAverage}");
        if (window.DatabaseBefore is { } databaseBefore && window.DatabaseAfter is { } databaseAfter && reached > 0)
        {
            var used = databaseAfter.Since(databaseBefore);
            table.WriteLine($"postgresql per unit: {used.Commits / (double)reached:0.0} commits, {used.WalRecords / (double)reached:0.0} WAL records, {used.WalBytes / 1024.0 / reached:0.0} KiB of WAL, {used.WalSyncs / (double)reached:0.0} WAL flushes");
        }

        var json = JsonSerializer.Serialize(new
        {
            rate = options.Rate, hops = options.Hops, commits = options.Commits, reads = options.Reads, rowBytes = options.RowBytes, seconds,
            units = window.OfferedInAll, offered = window.Offered, finished = reached, unfinished, rows,
            p50 = Percentile(0.5), p95 = Percentile(0.95), p99 = Percentile(0.99),
            cpuMsPerUnit = cpu.Append((Name: "total", Ticks: total)).ToDictionary(p => p.Name, p => PerUnit(p.Ticks)),
        }, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        return new FloorResult(table.ToString(), json, unfinished);
    }
}
