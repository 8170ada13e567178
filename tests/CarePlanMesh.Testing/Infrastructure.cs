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

    readonly Func<string, Task> _addVirtualHost;

    Infrastructure(string mode, string postgres, Uri rabbit, Func<string, Task> addVirtualHost)
    {
        Mode = mode;
        PostgresAdminConnectionString = postgres;
        RabbitMqUri = rabbit;
        _addVirtualHost = addVirtualHost;
    }

    /// <summary>environment, local or testcontainers.</summary>
    public string Mode { get; }
    public string PostgresAdminConnectionString { get; }
    public Uri RabbitMqUri { get; }

    public static Task<Infrastructure> GetAsync() => Shared.Value;

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
        await _addVirtualHost(name);
        return new UriBuilder(RabbitMqUri) { Path = "/" + Uri.EscapeDataString(name) }.Uri;
    }

    static async Task<Infrastructure> StartAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("CAREPLANMESH_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("CAREPLANMESH_TEST_RABBITMQ");
        Infrastructure infrastructure;
        if (!string.IsNullOrWhiteSpace(postgres) && !string.IsNullOrWhiteSpace(rabbit))
            infrastructure = new Infrastructure("environment", postgres, new Uri(rabbit), ManagementApi.AddVirtualHostFromEnvironment(new Uri(rabbit)));
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

    internal static Infrastructure Create(string mode, string postgres, Uri rabbit, Func<string, Task> addVirtualHost) =>
        new(mode, postgres, rabbit, addVirtualHost);

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
