using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The mesh on a three-node RabbitMQ cluster with quorum queues: the node every service is connected to is killed with -9 in
/// the middle of a steady stream of send units. The services move to the surviving nodes, and every unit the relay accepted
/// reaches the recipient's mailbox exactly once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterMeshFixture mesh)
{
    /// <summary>The 連番 of the stream's units start with this.</summary>
    const string Prefix = "20250808";

    [Fact]
    public async Task Killing_the_broker_node_the_services_use_loses_no_unit_and_places_none_twice()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        // Both sign in before the fault (a sign-in asks crypto over the bus, which may be slow to answer just after the start).
        await Poll.Until(async () => await Answers(careOffice) && await Answers(provider), TimeSpan.FromSeconds(90),
            () => $"The offices could not sign in.\n{mesh.Logs()}");

        // The mesh runs on quorum queues (replicated on the three nodes); only the request clients' reply queues are classic.
        var types = await mesh.Cluster.QueueTypes(mesh.RabbitMq);
        Assert.Equal("quorum", types[Contracts.Queues.RouteSubmission]);
        Assert.All(types.Where(q => !q.Key.Contains("_bus_", StringComparison.Ordinal)), q => Assert.Equal("quorum", q.Value));
        // Every service connects to the first node of RabbitMq:ClusterNodes: that is the node to lose.
        var victim = mesh.Cluster.Nodes[0];
        var connections = await ConnectionsOn(LocalRabbit.NodeName(victim.Uri.Port));
        Assert.True(connections >= MeshFixture.ServiceNames.Count, $"{connections} connections on the first node");

        Console.Error.WriteLine($"cluster test: queues before the kill\n{await QueueStates()}");
        var stream = new SteadyStream(careOffice);
        var sending = stream.Run();
        await Task.Delay(TimeSpan.FromSeconds(7));
        Console.Error.WriteLine($"cluster test: kill -9 {LocalRabbit.NodeName(victim.Uri.Port)} after {stream.Answers.Count} sends");
        await victim.Kill();
        var acceptedBeforeTheKill = stream.Accepted.Count;
        // The services find a surviving node within their reconnect time and reopen their connection once more if the broker
        // refused a publish to a queue whose leader was lost (RefusedPublishRecovery): the relay accepts units again within
        // seconds (3–10 s measured; until then it answers 503), and the stream goes on a while after that.
        var killedAt = DateTime.UtcNow;
        await Poll.Until(() => Task.FromResult(stream.Accepted.Count >= acceptedBeforeTheKill + 3), TimeSpan.FromSeconds(30),
            () => $"No unit was accepted within 30 s of losing the node ({stream.Answers.Count} sends).\n{QueueStates().GetAwaiter().GetResult()}\n{mesh.Logs()}");
        Console.Error.WriteLine($"cluster test: units accepted again {(DateTime.UtcNow - killedAt).TotalSeconds:0.0} s after the kill");
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stream.Stop();
        await sending;
        Assert.Equal(ClusterMeshFixture.Size - 1, await mesh.Cluster.RunningNodes());

        // The relay answered every send with 202, or 503 while it could not reach the broker, and accepted units on both sides of the kill.
        Assert.DoesNotContain(stream.Answers, status => status is not (HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable));
        var accepted = stream.Accepted.ToHashSet();
        Assert.True(acceptedBeforeTheKill > 0 && accepted.Count > acceptedBeforeTheKill,
            $"The stream must have units accepted before and after the kill: {acceptedBeforeTheKill} before, {accepted.Count} in all, of {stream.Answers.Count} sends.");
        Console.Error.WriteLine($"cluster test: {accepted.Count} of {stream.Answers.Count} sends accepted, {acceptedBeforeTheKill} before the kill");

        // Every queue has its consumers again, on the surviving nodes: MassTransit's reconnect, or the watchdog's bus restart, or
        // its exit with code 3 and the supervisor's start (as in the fault test).
        await Poll.Until(async () =>
            {
                await mesh.StartWhatTheWatchdogStopped("cluster test: after the node's kill");
                return await QueuesWithoutConsumers();
            }, queues => queues.Count == 0, MeshFixture.SelfHealingTime - (DateTime.UtcNow - killedAt),
            queues => $"Queues without a consumer: {string.Join(", ", queues ?? [])}\n{mesh.WatchdogEntries()}\n{mesh.Logs()}");

        // None lost: every unit the relay holds (every accepted one among them) reaches AwaitingPickup, the terminal state
        // of a unit nobody picks up, exactly once ...
        var stored = await StoredUnits();
        Assert.Subset(stored.ToHashSet(), accepted);
        foreach (var id in stored)
        {
            var status = await Poll.Until(() => mesh.Status(careOffice, id), s => s.GetProperty("state").GetString() is "AwaitingPickup" or "Failed" or "Rejected",
                TimeSpan.FromMinutes(6), last => $"Submission {id} did not reach AwaitingPickup; last status: {last}\n{QueueStates().GetAwaiter().GetResult()}\n{mesh.Logs()}");
            // The message (the broker's queues and every log) only when it fails: asking rabbitmqctl for each of ~100 units took minutes.
            if (status.GetProperty("state").GetString() != "AwaitingPickup")
                Assert.Fail($"Submission {id}: {status}\n{await QueueStates()}\n{mesh.Logs()}");
            var states = status.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("state").GetString()).ToList();
            Assert.Equal(1, states.Count(s => s == "AwaitingPickup"));
        }

        // ... and none delivered twice: routing placed each once, and the recipient's mailbox lists each once.
        foreach (var id in stored)
            Assert.Equal(1, await mesh.Count($"routing.mailbox_items WHERE submission_id = '{id}'"));
        var listed = await Mailbox(provider);
        Assert.Equal(stored.Order(), listed.Where(stored.Contains).Order());
        Assert.Equal(listed.Count, listed.Distinct().Count());

        // The sweeper re-drove what the failover interrupted: no step command waits in an error queue.
        var steps = new[] { Contracts.Queues.ValidateSubmission, Contracts.Queues.SealSubmission, Contracts.Queues.RouteSubmission }.Select(q => $"{q}_error");
        var errors = (await mesh.Cluster.Queues(mesh.RabbitMq)).Where(q => steps.Contains(q.Key) && q.Value.Messages > 0).Select(q => q.Key).ToList();
        Assert.Empty(errors);
    }

    /// <summary>Whether the office's sign-in and a call after it succeed; false while intake cannot reach crypto yet.</summary>
    static async Task<bool> Answers(HttpClient office)
    {
        try
        {
            return (await office.GetAsync("/v1/licence")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Each queue's type, leader, members and members online, for the failure messages.</summary>
    Task<string> QueueStates() =>
        mesh.Cluster.Ctl("list_queues", "-p", Uri.UnescapeDataString(mesh.RabbitMq.AbsolutePath.TrimStart('/')), "--no-table-headers", "name", "type", "leader", "members", "online", "messages", "consumers");

    /// <summary>The client connections a node holds: those whose Erlang process (&lt;node.x.y&gt;) runs on it.</summary>
    async Task<int> ConnectionsOn(string node) =>
        (await mesh.Cluster.Ctl("list_connections", "--quiet", "--no-table-headers", "pid"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Count(pid => pid.StartsWith($"<{node}.", StringComparison.Ordinal));

    async Task<List<string>> QueuesWithoutConsumers() =>
    [
        .. (await mesh.Cluster.Queues(mesh.RabbitMq))
            .Where(q => !q.Key.EndsWith("_error", StringComparison.Ordinal) && !q.Key.EndsWith("_skipped", StringComparison.Ordinal) && q.Value.Consumers == 0)
            .Select(q => q.Key),
    ];

    /// <summary>The ids of the care office's units in the provider's awaiting mailbox, every page of it.</summary>
    static async Task<List<Guid>> Mailbox(HttpClient provider)
    {
        var ids = new List<Guid>();
        string? next = $"/v1/mailbox?senderOffice={MeshFixture.CareOffice}&limit=200";
        while (next is not null)
        {
            var page = await provider.GetFromJsonAsync<JsonElement>(next);
            ids.AddRange(page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("sendUnit").GetString()!.StartsWith(Prefix, StringComparison.Ordinal))
                .Select(i => i.GetProperty("id").GetGuid()));
            next = page.TryGetProperty("next", out var link) && link.ValueKind == JsonValueKind.String ? link.GetString() : null;
        }
        return ids;
    }

    Task<List<Guid>> StoredUnits() => mesh.StoredUnits(MeshFixture.CareOffice, Prefix);

    /// <summary>
    /// A care office's software sending on three threads, each one send unit every 200 ms with its own 連番 (about 60 units in
    /// 20 s on an idle machine), noting what the relay answered.
    /// </summary>
    sealed class SteadyStream(HttpClient sender)
    {
        const int Senders = 3;
        readonly CancellationTokenSource _stop = new();

        public ConcurrentBag<Guid> Accepted { get; } = [];
        public ConcurrentBag<HttpStatusCode> Answers { get; } = [];

        public Task Run() => Task.WhenAll(Enumerable.Range(0, Senders).Select(Send));

        async Task Send(int thread)
        {
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                using var response = await sender.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit($"{Prefix}{thread:00}{n / 60 % 60:00}{n % 60:00}")));
                Answers.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.Accepted)
                    Accepted.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                await Task.Delay(200);
            }
        }

        public Task Stop() => _stop.CancelAsync();
    }
}
