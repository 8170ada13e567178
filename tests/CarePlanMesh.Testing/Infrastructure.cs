using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CarePlanMesh.Testing;

/// <summary>
/// The real RabbitMQ and PostgreSQL the tests run against, started once per test process and shared by every
/// collection, which isolate themselves with their own database and virtual host. In order:
/// CAREPLANMESH_TEST_POSTGRES + CAREPLANMESH_TEST_RABBITMQ when set; the Debian binaries on free loopback ports;
/// Testcontainers when Docker answers; otherwise an error that says what to install. Never a silent skip.
/// </summary>
public sealed class Infrastructure
{
    static readonly Lazy<Task<Infrastructure>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    readonly IBrokerAdmin _broker;

    Infrastructure(string mode, string postgres, Uri rabbit, IBrokerAdmin broker)
    {
        Mode = mode;
        PostgresAdminConnectionString = postgres;
        RabbitMqUri = rabbit;
        _broker = broker;
    }

    /// <summary>environment, local or testcontainers.</summary>
    public string Mode { get; }
    public string PostgresAdminConnectionString { get; }
    public Uri RabbitMqUri { get; }

    public static Task<Infrastructure> GetAsync() => Shared.Value;

    /// <summary>RabbitMQ and PostgreSQL of the caller's own, to kill and start again (the fault tests); the Debian binaries only.</summary>
    public static Task<PrivateServers> StartPrivateAsync() => LocalServers.StartPrivateAsync();

    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(PostgresAdminConnectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
            await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(PostgresAdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public async Task<Uri> CreateVirtualHostAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}";
        await _broker.AddVirtualHost(name);
        return new UriBuilder(RabbitMqUri) { Path = "/" + Uri.EscapeDataString(name) }.Uri;
    }

    static async Task<Infrastructure> StartAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("CAREPLANMESH_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("CAREPLANMESH_TEST_RABBITMQ");
        Infrastructure infrastructure;
        if (!string.IsNullOrWhiteSpace(postgres) && !string.IsNullOrWhiteSpace(rabbit))
            infrastructure = new Infrastructure("environment", postgres, new Uri(rabbit), ManagementApi.FromEnvironment(new Uri(rabbit)));
        else if (LocalServers.Available)
            infrastructure = await LocalServers.StartAsync();
        else if (await Containers.DockerAnswers())
            infrastructure = await Containers.StartAsync();
        else
            throw new InvalidOperationException(
                "The integration tests need real PostgreSQL and RabbitMQ and found none. Either install the Debian packages " +
                "(`apt-get update && apt-get install -y rabbitmq-server postgresql`; the tests start them on free loopback ports), " +
                "or run Docker for Testcontainers, or set CAREPLANMESH_TEST_POSTGRES (an Npgsql superuser connection string) and " +
                "CAREPLANMESH_TEST_RABBITMQ (amqp://user:pass@host:port/).");
        Console.Error.WriteLine($"CarePlanMesh test infrastructure: {infrastructure.Mode} (PostgreSQL and RabbitMQ at {infrastructure.RabbitMqUri.Host})");
        return infrastructure;
    }

    internal static Infrastructure Create(string mode, string postgres, Uri rabbit, IBrokerAdmin broker) =>
        new(mode, postgres, rabbit, broker);

    /// <summary>Applies a RabbitMQ policy to the queues of a virtual host whose names match <paramref name="pattern"/>, until it is cleared.</summary>
    public Task SetPolicyAsync(Uri virtualHost, string name, string pattern, string definitionJson) =>
        _broker.SetPolicy(VirtualHostOf(virtualHost), name, pattern, definitionJson);

    public Task ClearPolicyAsync(Uri virtualHost, string name) => _broker.ClearPolicy(VirtualHostOf(virtualHost), name);

    /// <summary>The queues the broker has in a virtual host, as its administration lists them.</summary>
    public Task<IReadOnlyList<BrokerQueue>> QueuesAsync(Uri virtualHost) => _broker.Queues(VirtualHostOf(virtualHost));

    static string VirtualHostOf(Uri virtualHost) => Uri.UnescapeDataString(virtualHost.AbsolutePath.TrimStart('/'));

    static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A TCP port on loopback that nothing listens on now and that this process has not handed out before, taken below the
    /// kernel's ephemeral range (32768–60999 on Linux). The port is free only until its server binds it: a port from the
    /// ephemeral range (what binding port 0 gives) can be given to the next bind to port 0 in that window, and one test
    /// collection's service then failed to start with "address already in use" while another collection started its own.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(20000, 32768);
            lock (HandedOut)
                if (!HandedOut.Add(port))
                    continue;
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("No free TCP port between 20000 and 32767 on loopback.");
    }

    internal static async Task<(int ExitCode, string Output)> Run(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} timed out after {timeout}");
        }
        return (process.ExitCode, await output + await error);
    }
}

/// <summary>What the tests ask of the broker's administration: virtual hosts and policies.</summary>
interface IBrokerAdmin
{
    Task AddVirtualHost(string vhost);
    Task SetPolicy(string vhost, string name, string pattern, string definitionJson);
    Task ClearPolicy(string vhost, string name);
    Task<IReadOnlyList<BrokerQueue>> Queues(string vhost);
}

/// <summary>A queue as the broker lists it: auto-delete queues are temporary (MassTransit's bus queues).</summary>
public sealed record BrokerQueue(string Name, bool AutoDelete, int Consumers);

/// <summary>The administration through rabbitmqctl, wherever it runs (the local binaries, a container).</summary>
sealed class RabbitMqCtl(string user, Func<string[], Task<string>> ctl) : IBrokerAdmin
{
    public async Task AddVirtualHost(string vhost)
    {
        await ctl(["add_vhost", vhost]);
        await ctl(["set_permissions", "-p", vhost, user, ".*", ".*", ".*"]);
    }

    public Task SetPolicy(string vhost, string name, string pattern, string definitionJson) =>
        ctl(["set_policy", "-p", vhost, "--apply-to", "queues", "--priority", "100", name, pattern, definitionJson]);

    public Task ClearPolicy(string vhost, string name) => ctl(["clear_policy", "-p", vhost, name]);

    public async Task<IReadOnlyList<BrokerQueue>> Queues(string vhost) =>
        [.. (await ctl(["list_queues", "-p", vhost, "--quiet", "--no-table-headers", "name", "auto_delete", "consumers"]))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Trim().Split('\t')).Where(fields => fields.Length == 3)
            .Select(fields => new BrokerQueue(fields[0], fields[1] == "true", int.Parse(fields[2])))];
}
