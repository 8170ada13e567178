using Npgsql;

namespace CarePlanMesh.Testing;

/// <summary>PostgreSQL and RabbitMQ from the Debian packages, started on free loopback ports under a temporary folder.</summary>
static class LocalServers
{
    internal const string RabbitServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    internal const string RabbitCtl = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    internal const string RabbitUser = "careplanmesh";

    internal static string? PostgresBin =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderDescending()
                .FirstOrDefault(bin => File.Exists(Path.Combine(bin, "initdb")))
            : null;

    public static bool Available => File.Exists(RabbitServer) && File.Exists(RabbitCtl) && PostgresBin is not null;

    /// <summary>The servers every test collection shares. Their PostgreSQL trades durability for speed: nothing kills it.</summary>
    public static async Task<Infrastructure> StartAsync() => (await StartServers(durable: false)).Infrastructure;

    /// <summary>Servers of one's own, to kill with -9 and start again; their PostgreSQL keeps its default durability.</summary>
    public static async Task<PrivateServers> StartPrivateAsync()
    {
        if (!Available)
            throw new InvalidOperationException("The fault tests kill and restart their own RabbitMQ and PostgreSQL: install the Debian packages rabbitmq-server and postgresql.");
        return await StartServers(durable: true);
    }

    static async Task<PrivateServers> StartServers(bool durable)
    {
        var postgres = LocalPostgres.Create(durable);
        var rabbit = LocalRabbit.Create();
        await Task.WhenAll(postgres.Start(), rabbit.Start());
        var infrastructure = Infrastructure.Create("local", postgres.AdminConnectionString, rabbit.Uri, new RabbitMqCtl(RabbitUser, arguments => rabbit.Ctl(arguments)));
        return new PrivateServers(infrastructure, postgres, rabbit);
    }

    internal static bool IsRoot => Environment.UserName == "root";
}

/// <summary>Test servers of one's own: the infrastructure on them, and each server to kill and start again.</summary>
public sealed record PrivateServers(Infrastructure Infrastructure, LocalPostgres Postgres, LocalRabbit Rabbit);

/// <summary>A PostgreSQL cluster in a temporary folder on a free port: started, killed with -9, started again (crash recovery).</summary>
public sealed class LocalPostgres
{
    readonly string _bin;
    readonly string _data;
    readonly int _port;
    readonly bool _durable;
    bool _initialised;

    LocalPostgres(string bin, string data, int port, bool durable) => (_bin, _data, _port, _durable) = (bin, data, port, durable);

    internal static LocalPostgres Create(bool durable)
    {
        var bin = LocalServers.PostgresBin!;
        // Not under the (0700) temp folder of this process: the postgres user must reach it.
        var data = Path.Combine(Path.GetTempPath(), $"careplanmesh-pg-{Guid.NewGuid():N}");
        var runuser = LocalServers.IsRoot ? "/usr/sbin/runuser -u postgres -- " : "";
        Watchdog.CleanUpAfterExit($"{runuser}{Path.Combine(bin, "pg_ctl")} -D '{data}' -m immediate -w stop; rm -rf '{data}'");
        return new LocalPostgres(bin, data, Infrastructure.FreePort(), durable);
    }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Include Error Detail=true";

    public async Task Start()
    {
        if (!_initialised)
        {
            Directory.CreateDirectory(_data);
            if (LocalServers.IsRoot)
                await Must("/bin/chown", ["postgres:postgres", _data]);
            await Must(Path.Combine(_bin, "initdb"), ["-D", _data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]);
            _initialised = true;
        }
        var speed = _durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        await Must(Path.Combine(_bin, "pg_ctl"),
        [
            "-D", _data, "-l", Path.Combine(_data, "server.log"), "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -p {_port} -k {_data} -c max_connections=300{speed}",
            "start",
        ]);
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
    }

    /// <summary>kill -9 of the postmaster and its backends at once, as a crash of the server would: nothing shuts down cleanly.</summary>
    public async Task Kill()
    {
        var postmaster = int.Parse((await File.ReadAllLinesAsync(Path.Combine(_data, "postmaster.pid")))[0]);
        // Backends come and go while they are listed (connections, autovacuum workers): one that is already gone is skipped.
        var processes = ProcessTree.ChildrenOf(postmaster).Prepend(postmaster).Select(ProcessTree.Find).OfType<System.Diagnostics.Process>().ToList();
        foreach (var process in processes)
            process.Kill();
        foreach (var process in processes)
        {
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    static async Task Must(string file, string[] arguments)
    {
        var (exit, output) = LocalServers.IsRoot && !file.EndsWith("chown", StringComparison.Ordinal)
            ? await Infrastructure.Run("/usr/sbin/runuser", ["-u", "postgres", "--", file, .. arguments], timeout: TimeSpan.FromSeconds(90))
            : await Infrastructure.Run(file, arguments, timeout: TimeSpan.FromSeconds(90));
        if (exit != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({exit}): {output}");
    }
}

/// <summary>A RabbitMQ node in a temporary folder on free ports: started, killed with -9, started again on the same data.</summary>
public sealed class LocalRabbit
{
    readonly string _home;
    readonly Dictionary<string, string> _environment;
    System.Diagnostics.Process? _server;

    LocalRabbit(string home, int port, Dictionary<string, string> environment) =>
        (_home, Uri, _environment) = (home, new Uri($"amqp://{LocalServers.RabbitUser}:{LocalServers.RabbitUser}@127.0.0.1:{port}/"), environment);

    public Uri Uri { get; }

    public static string NodeName(int port) => $"careplanmesh-test-{port}@localhost";

    /// <param name="port">The AMQP port (a free one when null); the node is named after it (<see cref="NodeName"/>).</param>
    /// <param name="extraConfig">More lines of rabbitmq.conf (a cluster's peer discovery).</param>
    /// <param name="cookie">The Erlang cookie, the same on every node of a cluster (HOME/.erlang.cookie, read by rabbitmqctl too).</param>
    internal static LocalRabbit Create(int? port = null, string extraConfig = "", string? cookie = null)
    {
        var home = Directory.CreateTempSubdirectory("careplanmesh-rabbit-").FullName;
        var amqpPort = port ?? Infrastructure.FreePort();
        var config = Path.Combine(home, "rabbitmq.conf");
        File.WriteAllText(config,
            $"""
            listeners.tcp.default = 127.0.0.1:{amqpPort}
            loopback_users = none
            default_user = {LocalServers.RabbitUser}
            default_pass = {LocalServers.RabbitUser}
            {extraConfig}
            """);
        if (cookie is not null)
        {
            var cookieFile = Path.Combine(home, ".erlang.cookie");
            File.WriteAllText(cookieFile, cookie);
            // Erlang refuses a cookie file that others may read.
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(cookieFile, UnixFileMode.UserRead);
        }
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["RABBITMQ_NODENAME"] = NodeName(amqpPort),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(home, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(home, "log"),
            ["RABBITMQ_NODE_PORT"] = amqpPort.ToString(),
            ["RABBITMQ_DIST_PORT"] = Infrastructure.FreePort().ToString(),
            ["RABBITMQ_CONFIG_FILE"] = config,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(home, "enabled_plugins"),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        };
        var exports = string.Concat(environment.Select(e => $"{e.Key}='{e.Value}' "));
        Watchdog.CleanUpAfterExit($"{exports}{LocalServers.RabbitCtl} stop; rm -rf '{home}'");
        return new LocalRabbit(home, amqpPort, environment);
    }

    public async Task Start()
    {
        var log = Path.Combine(_home, "server.log");
        // Output to a file, not to this process: the broker must not depend on the test host's pipes.
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", $"exec {LocalServers.RabbitServer} >> '{log}' 2>&1 </dev/null"]) { WorkingDirectory = _home };
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;
        _server = System.Diagnostics.Process.Start(start)!;

        // await_startup fails at once while the node is not reachable yet, so ask until it answers.
        string NotStarted(string? rabbitctlOutput) =>
            $"RabbitMQ did not start.\nrabbitmqctl: {rabbitctlOutput}\nserver output:\n{(File.Exists(log) ? string.Join("\n", File.ReadAllLines(log).TakeLast(30)) : "(no output)")}";
        var server = _server;
        await Poll.Until(async () =>
        {
            var (exit, output) = await Infrastructure.Run(LocalServers.RabbitCtl, ["await_startup", "--timeout", "10"], _environment, TimeSpan.FromSeconds(20));
            if (exit != 0 && server.HasExited)
                throw new InvalidOperationException(NotStarted(output));
            return (exit, output);
        }, answer => answer.exit == 0, TimeSpan.FromSeconds(90), last => NotStarted(last.output));
    }

    /// <summary>Whether the node this object started still runs.</summary>
    public bool Running => _server is { HasExited: false };

    /// <summary>kill -9 of the Erlang VM, as a crash would: no queue is closed cleanly, connections just drop.</summary>
    public async Task Kill()
    {
        var server = _server ?? throw new InvalidOperationException("RabbitMQ was not started by this test.");
        // rabbitmq-server runs the VM as a child of its own script; find it below the script's process (with any short-lived
        // VM the script runs beside it).
        var beams = ProcessTree.Descendants(server.Id).Select(ProcessTree.Find).OfType<System.Diagnostics.Process>()
            .Where(p => p.ProcessName.StartsWith("beam", StringComparison.Ordinal)).ToList();
        if (beams.Count == 0)
            throw new InvalidOperationException("No Erlang VM runs below this RabbitMQ node's script.");
        foreach (var beam in beams)
            beam.Kill();
        foreach (var beam in beams)
        {
            await beam.WaitForExitAsync();
            beam.Dispose();
        }
        await server.WaitForExitAsync();
    }

    /// <summary>Queues of a virtual host with their ready messages and consumers.</summary>
    public async Task<IReadOnlyDictionary<string, (int Messages, int Consumers)>> Queues(Uri virtualHost)
    {
        var output = await Ctl("list_queues", "-p", Uri.UnescapeDataString(virtualHost.AbsolutePath.TrimStart('/')), "--quiet", "--no-table-headers", "name", "messages", "consumers");
        return ParseQueues(output);
    }

    /// <summary>list_queues' name, messages and consumers columns.</summary>
    internal static IReadOnlyDictionary<string, (int Messages, int Consumers)> ParseQueues(string output)
    {
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(fields => fields.Length == 3)
            .ToDictionary(fields => fields[0], fields => (int.Parse(fields[1]), int.Parse(fields[2])));
    }

    internal async Task<string> Ctl(params string[] arguments)
    {
        // rabbitmqctl starts an Erlang VM of its own each time: slow on a loaded machine.
        var (exit, output) = await Infrastructure.Run(LocalServers.RabbitCtl, arguments, _environment, TimeSpan.FromSeconds(120));
        if (exit != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed: {output}");
        return output;
    }
}

/// <summary>Processes below a process, read from /proc.</summary>
static class ProcessTree
{
    /// <summary>The running process with this id, or null when it has exited since it was listed.</summary>
    public static System.Diagnostics.Process? Find(int pid)
    {
        try
        {
            return System.Diagnostics.Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public static IEnumerable<int> Descendants(int parent) => ChildrenOf(parent).SelectMany(child => Descendants(child).Prepend(child)).ToList();

    public static IEnumerable<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(name => int.TryParse(name, out var pid) ? pid : 0).Where(pid => pid > 0)
            .Where(pid =>
            {
                try
                {
                    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its closing parenthesis.
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]) == parent;
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .ToList();

}
