using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.LoadHarness;

/// <summary>One POST /v1/submissions: when it was sent, whether inside the measured window, and its id or error.</summary>
public sealed record Offer(OfficeClient Office, DateTimeOffset At, bool Measured, Guid? Id, string? Error);

/// <summary>What a submission's own timeline says once the run is over.</summary>
public sealed record Outcome(string State, DateTimeOffset? Received, DateTimeOffset? AwaitingPickup);

public sealed record Sender(OfficeClient Client, SendUnits Units);

/// <summary>
/// Offers send units round-robin over the senders for warm-up + duration — at a fixed rate (open loop: a slow relay
/// does not slow the offers) or as fast as they are taken with a fixed number in flight — takes a CPU snapshot and
/// PostgreSQL's counters at both ends of the measured window, then reads every accepted submission's timeline.
/// </summary>
public sealed class LoadRun(HarnessOptions options, IReadOnlyList<Sender> senders, MeshProcesses mesh, DatabaseCounters? database, TextWriter log)
{
    static readonly string[] InFlightStates = ["Received", "Validating", "Sealing", "Routing"];
    static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(60);

    readonly ConcurrentQueue<Offer> _offers = new();
    int _round = -1;
    volatile bool _stopped;
    DateTimeOffset? _windowStart;

    public async Task<RunResult> Run(CancellationToken cancellationToken)
    {
        var window = Measure(cancellationToken);
        await (options.Rate is { } rate ? OfferAtRate(rate, cancellationToken) : OfferAtMost(options.Concurrency, cancellationToken));
        var (before, after, start, end, databaseUse) = await window;

        var accepted = _offers.Where(o => o.Id is not null).ToList();
        log.WriteLine($"Reading the timelines of {accepted.Count} submissions…");
        var outcomes = await ReadTimelines(accepted, cancellationToken);
        return new RunResult(options, senders.Count, [.. _offers], outcomes, before, after, start, end, databaseUse);
    }

    async Task<(CpuSnapshot Before, CpuSnapshot After, DateTimeOffset Start, DateTimeOffset End, DatabaseUse Database)> Measure(CancellationToken cancellationToken)
    {
        log.WriteLine($"Warming up for {options.Warmup.TotalSeconds:0} s…");
        await Task.Delay(options.Warmup, cancellationToken);
        var (databaseBefore, problem) = database is null ? (null, "not asked for (--database none)") : await database.Read(cancellationToken);
        var before = mesh.Snapshot();
        var start = DateTimeOffset.UtcNow;
        _windowStart = start;
        log.WriteLine($"Measuring for {options.Duration.TotalSeconds:0} s…");
        await Task.Delay(options.Duration, cancellationToken);
        var after = mesh.Snapshot();
        var end = DateTimeOffset.UtcNow;
        _stopped = true;
        if (databaseBefore is not null)
        {
            var (databaseAfter, problemAfter) = await database!.Read(cancellationToken);
            return (before, after, start, end, databaseAfter is null ? new DatabaseUse(null, problemAfter) : new DatabaseUse(databaseAfter.Since(databaseBefore), null));
        }
        return (before, after, start, end, new DatabaseUse(null, problem));
    }

    async Task OfferAtMost(int inFlight, CancellationToken cancellationToken)
    {
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            while (!_stopped)
                await OfferOne(cancellationToken);
        }));
    }

    async Task OfferAtRate(double rate, CancellationToken cancellationToken)
    {
        var started = new List<Task>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (long n = 0; !_stopped; n++)
        {
            var due = TimeSpan.FromSeconds(n / rate) - clock.Elapsed;
            if (due > TimeSpan.Zero)
                await Task.Delay(due, cancellationToken);
            if (!_stopped)
                started.Add(OfferOne(cancellationToken));
        }
        await Task.WhenAll(started);
    }

    async Task OfferOne(CancellationToken cancellationToken)
    {
        var sender = senders[(int)((uint)Interlocked.Increment(ref _round) % senders.Count)];
        var at = DateTimeOffset.UtcNow;
        var measured = _windowStart is { } start && at >= start;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions") { Content = sender.Units.Next() };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await sender.Client.Send(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                _offers.Enqueue(new Offer(sender.Client, at, measured, body.GetProperty("id").GetGuid(), null));
            }
            else
            {
                _offers.Enqueue(new Offer(sender.Client, at, measured, null, $"{(int)response.StatusCode} {await ProblemType(response, cancellationToken)}"));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            _offers.Enqueue(new Offer(sender.Client, at, measured, null, e.GetType().Name));
        }
    }

    static async Task<string> ProblemType(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return problem.TryGetProperty("type", out var type) ? type.GetString()?.Split(':')[^1] ?? "" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>Reads GET /v1/submissions/{id} until no submission is still on its way or the drain limit passes.</summary>
    async Task<IReadOnlyDictionary<Guid, Outcome>> ReadTimelines(IReadOnlyList<Offer> accepted, CancellationToken cancellationToken)
    {
        var outcomes = new ConcurrentDictionary<Guid, Outcome>();
        var pending = accepted;
        var deadline = DateTimeOffset.UtcNow + DrainLimit;
        while (true)
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (offer, token) =>
                outcomes[offer.Id!.Value] = Read(await offer.Office.Get($"/v1/submissions/{offer.Id}", token)));
            pending = [.. pending.Where(o => InFlightStates.Contains(outcomes[o.Id!.Value].State))];
            if (pending.Count == 0 || DateTimeOffset.UtcNow >= deadline)
                return outcomes;
            log.WriteLine($"{pending.Count} submissions are still on their way…");
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }
    }

    static Outcome Read(JsonElement submission)
    {
        DateTimeOffset? At(string state) => submission.GetProperty("timeline").EnumerateArray()
            .Where(t => t.GetProperty("state").GetString() == state).Select(t => (DateTimeOffset?)t.GetProperty("at").GetDateTimeOffset()).FirstOrDefault();
        return new Outcome(submission.GetProperty("state").GetString()!, At("Received"), At("AwaitingPickup"));
    }

    public static bool InFlight(string state) => InFlightStates.Contains(state);
}
