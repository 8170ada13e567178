using Npgsql;

namespace CarePlanMesh.Testing;

/// <summary>PostgreSQL and RabbitMQ from the Debian packages, started on free loopback ports under a temporary folder.</summary>
static class LocalServers
{
    const string RabbitServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    const string RabbitCtl = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    const string RabbitUser = "careplanmesh";

    static string? PostgresBin =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderDescending()
                .FirstOrDefault(bin => File.Exists(Path.Combine(bin, "initdb")))
            : null;

    public static bool Available => File.Exists(RabbitServer) && File.Exists(RabbitCtl) && PostgresBin is not null;

    static bool IsRoot => Environment.UserName == "root";

    static string Runuser => IsRoot ? "/usr/sbin/runuser -u postgres -- " : "";

    public static async Task<Infrastructure> StartAsync()
    {
        var postgresTask = StartPostgres();
        var rabbitTask = StartRabbit();
        var postgres = await postgresTask;
        var (rabbit, rabbitEnvironment) = await rabbitTask;
        return Infrastructure.Create("local", postgres, rabbit, new RabbitMqCtl(RabbitUser, arguments => Ctl(rabbitEnvironment, arguments)));
    }

    static async Task<string> StartPostgres()
    {
        var bin = PostgresBin!;
        // Not under the (0700) temp folder of this process: the postgres user must reach it.
        var data = Path.Combine(Path.GetTempPath(), $"careplanmesh-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        if (IsRoot)
            await Must("/bin/chown", ["postgres:postgres", data]);
        var port = Infrastructure.FreePort();
        Watchdog.CleanUpAfterExit($"{Runuser}{Path.Combine(bin, "pg_ctl")} -D '{data}' -m immediate -w stop; rm -rf '{data}'");
        await Must(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]);
        await Must(Path.Combine(bin, "pg_ctl"),
        [
            "-D", data, "-l", Path.Combine(data, "server.log"), "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            "start",
        ]);
        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Include Error Detail=true";
        await using (var connection = new NpgsqlConnection(connectionString))
            await connection.OpenAsync();
        return connectionString;
    }

    static async Task<(Uri Uri, Dictionary<string, string> Environment)> StartRabbit()
    {
        var home = Directory.CreateTempSubdirectory("careplanmesh-rabbit-").FullName;
        var port = Infrastructure.FreePort();
        var distributionPort = Infrastructure.FreePort();
        var config = Path.Combine(home, "rabbitmq.conf");
        await File.WriteAllTextAsync(config,
            $"""
            listeners.tcp.default = 127.0.0.1:{port}
            loopback_users = none
            default_user = {RabbitUser}
            default_pass = {RabbitUser}
            """);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["RABBITMQ_NODENAME"] = $"careplanmesh-test-{port}@localhost",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(home, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(home, "log"),
            ["RABBITMQ_NODE_PORT"] = port.ToString(),
            ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(),
            ["RABBITMQ_CONFIG_FILE"] = config,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(home, "enabled_plugins"),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        };
        var exports = string.Concat(environment.Select(e => $"{e.Key}='{e.Value}' "));
        Watchdog.CleanUpAfterExit($"{exports}{RabbitCtl} stop; rm -rf '{home}'");
        var log = Path.Combine(home, "server.log");
        // Output to a file, not to this process: the broker must not depend on the test host's pipes.
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", $"exec {RabbitServer} > '{log}' 2>&1"]) { WorkingDirectory = home };
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var server = System.Diagnostics.Process.Start(start)!;

        // await_startup fails at once while the node is not reachable yet, so ask until it answers.
        string NotStarted(string? rabbitctlOutput) =>
            $"RabbitMQ did not start.\nrabbitmqctl: {rabbitctlOutput}\nserver output:\n{(File.Exists(log) ? string.Join("\n", File.ReadAllLines(log).TakeLast(30)) : "(no output)")}";
        await Poll.Until(async () =>
        {
            var (exit, output) = await Infrastructure.Run(RabbitCtl, ["await_startup", "--timeout", "10"], environment, TimeSpan.FromSeconds(20));
            if (exit != 0 && server.HasExited)
                throw new InvalidOperationException(NotStarted(output));
            return (exit, output);
        }, answer => answer.exit == 0, TimeSpan.FromSeconds(90), last => NotStarted(last.output));

        var uri = new Uri($"amqp://{RabbitUser}:{RabbitUser}@127.0.0.1:{port}/");
        return (uri, environment);
    }

    static async Task Ctl(Dictionary<string, string> environment, params string[] arguments)
    {
        var (exit, output) = await Infrastructure.Run(RabbitCtl, arguments, environment);
        if (exit != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed: {output}");
    }

    static async Task Must(string file, string[] arguments)
    {
        var (exit, output) = IsRoot && !file.EndsWith("chown", StringComparison.Ordinal)
            ? await Infrastructure.Run("/usr/sbin/runuser", ["-u", "postgres", "--", file, .. arguments], timeout: TimeSpan.FromSeconds(90))
            : await Infrastructure.Run(file, arguments, timeout: TimeSpan.FromSeconds(90));
        if (exit != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({exit}): {output}");
    }
}
