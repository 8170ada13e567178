using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CarePlanMesh.Contracts;
using CarePlanMesh.Security;
using MassTransit;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The notification process alone, on a database and a virtual host of its own, with one demo office (its e-mail address
/// is office-&lt;number&gt;@demo.careplanmesh.example). Settings come from the environment as in a deployment; a null value
/// leaves a default setting out. Commands and requests go on the bus, as intake and the saga send them.
/// </summary>
public sealed class NotificationProcess : IAsyncDisposable
{
    readonly Dictionary<string, string> _environment;
    readonly Uri _management;
    readonly string _log;
    Process? _process;

    public string Directory { get; }
    public IBusControl Bus { get; }
    /// <summary>Its database, to read the outboxes' state.</summary>
    public string Postgres => _environment["ConnectionStrings__Postgres"];

    NotificationProcess(string directory, Uri management, Dictionary<string, string> environment, IBusControl bus)
    {
        (Directory, _management, _environment, Bus) = (directory, management, environment, bus);
        _log = Path.Combine(directory, "notification.log");
    }

    public static async Task<NotificationProcess> Start(string office, IReadOnlyDictionary<string, string?> settings)
    {
        var infrastructure = await Infrastructure.GetAsync();
        var database = await infrastructure.CreateDatabaseAsync("notify");
        var rabbit = await infrastructure.CreateVirtualHostAsync("notify");
        var directory = System.IO.Directory.CreateTempSubdirectory("careplanmesh-notify-").FullName;
        DevelopmentPki.Create(directory, [new DemoOffice(office, ["11"], "通知テスト訪問介護事業所")], passwordIterations: 1_000);
        var management = new Uri($"http://127.0.0.1:{Infrastructure.FreePort()}");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database,
            ["ConnectionStrings__RabbitMq"] = rabbit.ToString(),
            ["ASPNETCORE_URLS"] = management.ToString(),
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["MessageData__Keys__2026a"] = PayloadKeys.Active,
            ["MessageData__ActiveKey"] = "2026a",
            ["Directory__SeedFile"] = Path.Combine(directory, "offices.json"),
        };
        foreach (var (key, value) in settings)
            if (value is null)
                environment.Remove(key);
            else
                environment[key] = value;

        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            var user = rabbit.UserInfo.Split(':');
            cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.AbsolutePath.TrimStart('/'), h => { h.Username(user[0]); h.Password(user[1]); });
        });
        var notification = new NotificationProcess(directory, management, environment, bus);
        await notification.Launch();
        await bus.StartAsync();
        return notification;
    }

    /// <summary>Kills the process (as a crash or a redeploy would) and starts it again on the same database, broker and settings.</summary>
    public async Task Restart()
    {
        await Kill();
        await Launch();
    }

    /// <summary>Restarts it with these settings changed (a null value leaves a setting out), as a redeploy with a new configuration would.</summary>
    public async Task Restart(IReadOnlyDictionary<string, string?> settings)
    {
        foreach (var (key, value) in settings)
            if (value is null)
                _environment.Remove(key);
            else
                _environment[key] = value;
        await Restart();
    }

    public async Task<TAnswer> Ask<TRequest, TAnswer>(TRequest request) where TRequest : class where TAnswer : class =>
        (await Bus.CreateRequestClient<TRequest>(Queues.Address(Queues.NotificationRequests)).GetResponse<TAnswer>(request)).Message;

    public async Task Send<T>(string queue, T message) where T : class =>
        await (await Bus.GetSendEndpoint(Queues.Address(queue))).Send(message);

    public async Task<long> Count(string table)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The process's whole output, across restarts.</summary>
    public string WholeLog()
    {
        using var stream = new FileStream(_log, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    public string Log() => string.Join("\n", WholeLog().Split('\n').TakeLast(40));

    async Task Launch()
    {
        var start = new ProcessStartInfo("dotnet", [MeshFixture.BuiltAssembly(Path.Combine("services", "Notification"), "CarePlanMesh.Notification.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;
        var process = Process.Start(start)!;
        _process = process;
        var writer = new StreamWriter(new FileStream(_log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Poll.Until(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"notification exited with code {process.ExitCode}.\n{Log()}");
            try
            {
                return (await http.GetAsync(new Uri(_management, "/health/ready"))).StatusCode == HttpStatusCode.OK;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), () => $"notification was not ready within 90 s.\n{Log()}");
    }

    async Task Kill()
    {
        if (_process is not { } process)
            return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await Bus.StopAsync();
        await Kill();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
