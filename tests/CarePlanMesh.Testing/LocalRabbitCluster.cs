using System.Security.Cryptography;

namespace CarePlanMesh.Testing;

/// <summary>
/// A RabbitMQ cluster of nodes from the Debian binaries, each in a temporary folder on free loopback ports, sharing one Erlang
/// cookie and finding each other by classic-config peer discovery. The first node starts alone and forms the cluster; the
/// others start together and join it.
/// </summary>
public sealed class LocalRabbitCluster : IAsyncDisposable
{
    LocalRabbitCluster(IReadOnlyList<LocalRabbit> nodes) => Nodes = nodes;

    public IReadOnlyList<LocalRabbit> Nodes { get; }

    /// <summary>host:port of every node, as RabbitMq:ClusterNodes takes them.</summary>
    public IReadOnlyList<string> Addresses => [.. Nodes.Select(n => $"{n.Uri.Host}:{n.Uri.Port}")];

    public static async Task<LocalRabbitCluster> StartAsync(int size)
    {
        if (!LocalServers.Available)
            throw new InvalidOperationException("The cluster test starts RabbitMQ nodes of its own: install the Debian package rabbitmq-server.");
        var ports = Enumerable.Range(0, size).Select(_ => Infrastructure.FreePort()).ToList();
        var cookie = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        var peers = string.Join("\n", ports.Select((port, i) => $"cluster_formation.classic_config.nodes.{i + 1} = {LocalRabbit.NodeName(port)}"));
        var nodes = ports.Select(port => LocalRabbit.Create(port, $"cluster_formation.peer_discovery_backend = classic_config\n{peers}", cookie)).ToList();
        var cluster = new LocalRabbitCluster(nodes);

        await nodes[0].Start();
        await Task.WhenAll(nodes.Skip(1).Select(n => n.Start()));
        await Poll.Until(async () => await cluster.RunningNodes(), running => running == size, TimeSpan.FromSeconds(90),
            running => $"The RabbitMQ cluster did not form: {running} of {size} nodes running.");
        return cluster;
    }

    /// <summary>
    /// The cluster's administration (virtual hosts, policies) through whichever node answers first. Its virtual hosts default to
    /// quorum queues, as docs/operations.md has operators create theirs: a sender's declaration of a queue (MassTransit's
    /// queue: addresses declare the queue they send to, without a queue type) then matches the consumer's quorum queue.
    /// </summary>
    public Infrastructure InfrastructureOn(string postgresAdminConnectionString) =>
        Infrastructure.Create("local cluster", postgresAdminConnectionString, Nodes[0].Uri, new RabbitMqCtl(LocalServers.RabbitUser,
            arguments => Ctl(arguments is ["add_vhost", ..] ? [.. arguments, "--default-queue-type", "quorum"] : arguments)));

    /// <summary>Runs rabbitmqctl against the first node that answers, those still running first (a killed node does not answer).</summary>
    public async Task<string> Ctl(params string[] arguments)
    {
        var failures = new List<string>();
        foreach (var node in Nodes.OrderBy(n => n.Running ? 0 : 1))
        {
            try
            {
                return await node.Ctl(arguments);
            }
            catch (InvalidOperationException failure)
            {
                failures.Add(failure.Message);
            }
        }
        throw new InvalidOperationException(string.Join("\n", failures));
    }

    /// <summary>Queues of a virtual host with their ready messages and consumers, as any running node sees them.</summary>
    public async Task<IReadOnlyDictionary<string, (int Messages, int Consumers)>> Queues(Uri virtualHost)
    {
        var output = await Ctl("list_queues", "-p", Uri.UnescapeDataString(virtualHost.AbsolutePath.TrimStart('/')), "--quiet", "--no-table-headers", "name", "messages", "consumers");
        return LocalRabbit.ParseQueues(output);
    }

    /// <summary>Each queue of a virtual host with its type (classic, quorum).</summary>
    public async Task<IReadOnlyDictionary<string, string>> QueueTypes(Uri virtualHost)
    {
        var output = await Ctl("list_queues", "-p", Uri.UnescapeDataString(virtualHost.AbsolutePath.TrimStart('/')), "--quiet", "--no-table-headers", "name", "type");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).Where(fields => fields.Length == 2)
            .ToDictionary(fields => fields[0], fields => fields[1]);
    }

    /// <summary>How many nodes of the cluster run, as the first node that answers sees it.</summary>
    public async Task<int> RunningNodes()
    {
        try
        {
            using var status = System.Text.Json.JsonDocument.Parse(await Ctl("cluster_status", "--formatter", "json"));
            return status.RootElement.GetProperty("running_nodes").GetArrayLength();
        }
        catch (Exception failure) when (failure is InvalidOperationException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>Kills every node that still runs (their folders go when the test process exits).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Where(n => n.Running))
            await node.Kill();
    }
}
