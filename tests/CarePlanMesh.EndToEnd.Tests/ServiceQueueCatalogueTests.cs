using System.Text.Json;
using System.Text.RegularExpressions;
using CarePlanMesh.Contracts;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The catalogue of each service's queues (contracts ServiceQueues), which `cpm ops errors --service/--all` reads, against
/// the queues the running mesh declared on the broker, and those commands on the real mesh.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class ServiceQueueCatalogueTests(MeshFixture mesh) : IDisposable
{
    readonly string _work = Directory.CreateTempSubdirectory("cpm-catalogue-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_catalogue_names_exactly_the_queues_the_services_consume_with_one_consumer_per_replica()
    {
        // Every durable queue someone consumes from, besides the error queues: the services' receive endpoints (tests in
        // this collection run one at a time, so no test's own consumer or the analytics example is connected now).
        var queues = await mesh.BrokerQueues();
        // A process's own bus endpoint (MassTransit names it <host>_<process>_bus_<id>) answers requests; it is not a
        // service's receive endpoint and has no error queue.
        var consumed = queues.Where(q => !q.AutoDelete && q.Consumers > 0 && !q.Name.Contains("_bus_", StringComparison.Ordinal)).ToList();
        Assert.Equal(ServiceQueues.ByService.Values.SelectMany(q => q).Order(), consumed.Select(q => q.Name).Order());

        // Routing and intake run two replicas here, the others one: each queue has one consumer per replica of its service.
        foreach (var (service, serviceQueues) in ServiceQueues.ByService)
        {
            var replicas = MeshFixture.ServiceNames.Count(name => Regex.IsMatch(name, $"^{Regex.Escape(service)}(-[0-9]+)?$"));
            foreach (var queue in serviceQueues)
                Assert.True(consumed.Single(q => q.Name == queue).Consumers == replicas, $"{queue} ({service}) has {consumed.Single(q => q.Name == queue).Consumers} consumers, expected {replicas}.");
        }
    }

    [Fact]
    public async Task Ops_errors_list_covers_a_service_or_every_service_and_audits_each_queue()
    {
        var routing = await Cpm("list", "--service", "routing");
        routing.AssertExit(0);
        Assert.Equal(ServiceQueues.ByService["routing"].Select(q => $"{q}_error"),
            routing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')[0]));

        var all = await Cpm("list", "--all", "--json");
        all.AssertExit(0);
        var listed = JsonDocument.Parse(all.Output).RootElement;
        Assert.Equal("list", listed.GetProperty("action").GetString());
        var entries = listed.GetProperty("queues").EnumerateArray().ToList();
        Assert.Equal(ServiceQueues.ByService.SelectMany(s => s.Value.Select(q => (s.Key, $"{q}_error"))),
            entries.Select(e => (e.GetProperty("service").GetString()!, e.GetProperty("queue").GetString()!)));
        Assert.All(entries, e => Assert.True(e.GetProperty("messages").GetInt32() >= 0));

        var audit = (await File.ReadAllLinesAsync(Path.Combine(_work, "audit.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(ServiceQueues.ByService["routing"].Count + entries.Count, audit.Count(a => a.GetProperty("action").GetString() == "list"));
    }

    [Fact]
    public async Task An_unknown_service_is_a_usage_error_with_the_names_that_exist()
    {
        var unknown = await Cpm("list", "--service", "routeing");
        unknown.AssertExit(2);
        Assert.Contains("routing", unknown.Error + unknown.Output);

        var nothing = await Cpm("purge", "--json");
        nothing.AssertExit(2);
        var problem = JsonDocument.Parse(nothing.Output).RootElement;
        Assert.Equal("urn:careplanmesh:cpm:usage", problem.GetProperty("type").GetString());
        Assert.Contains("--all", problem.GetProperty("detailJa").GetString());
        Assert.False(File.Exists(Path.Combine(_work, "audit.jsonl")));
    }

    Task<CpmRun> Cpm(params string[] args) => CpmProcess.OpsErrors(mesh, _work, args);
}
