using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The front door (frontdoor/CarePlanMesh.FrontDoor) as its own process in front of the mesh's two intake replicas, connecting
/// to them from the address they trust to forward certificates (<see cref="MeshFixture.FrontDoorAddress"/>).
/// </summary>
public sealed class FrontDoorProcess : IAsyncDisposable
{
    readonly MeshFixture _mesh;
    readonly Process _process;
    readonly StringWriter _log = new();

    public Uri Address { get; } = new($"https://127.0.0.1:{Infrastructure.FreePort()}");
    public Uri Management { get; } = new($"http://127.0.0.1:{Infrastructure.FreePort()}");

    FrontDoorProcess(MeshFixture mesh, IReadOnlyDictionary<string, string> settings)
    {
        _mesh = mesh;
        var start = new ProcessStartInfo("dotnet", [MeshFixture.BuiltAssembly(Path.Combine("frontdoor", "CarePlanMesh.FrontDoor"), "CarePlanMesh.FrontDoor.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = Management.ToString(),
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["FrontDoor__PublicUrl"] = Address.ToString(),
            ["FrontDoor__ServerCertificate"] = Path.Combine(mesh.DemoDirectory, "server", "cert.pem"),
            ["FrontDoor__ServerKey"] = Path.Combine(mesh.DemoDirectory, "server", "key.pem"),
            ["FrontDoor__ClientCa"] = Path.Combine(mesh.DemoDirectory, "ca.pem"),
            ["FrontDoor__SourceAddress"] = MeshFixture.FrontDoorAddress.ToString(),
            ["FrontDoor__HealthInterval"] = "00:00:01",
            ["FrontDoor__Intake__intake__Address"] = mesh.BaseAddress.ToString(),
            ["FrontDoor__Intake__intake__Health"] = mesh.Management["intake"].ToString(),
            ["FrontDoor__Intake__intake-2__Address"] = mesh.SecondIntakeAddress.ToString(),
            ["FrontDoor__Intake__intake-2__Health"] = mesh.Management["intake-2"].ToString(),
        };
        foreach (var (key, value) in settings)
            environment[key] = value;
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.WriteLine(e.Data); };
    }

    /// <summary>Starts the front door and waits until its active health checks have found both intake replicas ready.</summary>
    public static async Task<FrontDoorProcess> Start(MeshFixture mesh, IReadOnlyDictionary<string, string>? settings = null)
    {
        var frontDoor = new FrontDoorProcess(mesh, settings ?? new Dictionary<string, string>());
        frontDoor._process.Start();
        frontDoor._process.BeginOutputReadLine();
        frontDoor._process.BeginErrorReadLine();
        await frontDoor.WaitForReplicas(replicas => replicas.GetProperty("intake").GetString() == "Ready" && replicas.GetProperty("intake-2").GetString() == "Ready");
        return frontDoor;
    }

    /// <summary>Waits until the replicas' states in the front door's /health/ready ("endpoints" of its "intake" check) satisfy the condition.</summary>
    public async Task WaitForReplicas(Func<JsonElement, bool> condition)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Poll.Until(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The front door exited with code {_process.ExitCode}.\n{Log()}");
            try
            {
                using var response = await http.GetAsync(new Uri(Management, "/health/ready"));
                using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var intake = health.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "intake");
                return condition(intake.GetProperty("endpoints"));
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return false; // not listening yet
            }
        }, TimeSpan.FromSeconds(30), () => $"The front door's replicas did not reach the expected state within 30 s.\n{Log()}\n{_mesh.Logs()}");
    }

    /// <summary>An office's client (its certificate, and its staff member signed in unless told not to) that calls the front door.</summary>
    public HttpClient ClientFor(string? office, bool signIn = true) =>
        new(new Diagnosed(this, _mesh.HandlerFor(office, signIn))) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// A call the front door does not answer fails with its state and log: a CI run once failed a front door test on
    /// "Connection refused" to a front door that had been ready a moment before, with nothing to say why.
    /// </summary>
    sealed class Diagnosed(FrontDoorProcess frontDoor, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException exception)
            {
                var state = frontDoor._process.HasExited ? $"exited with code {frontDoor._process.ExitCode}" : "still runs";
                throw new HttpRequestException($"{request.Method} {request.RequestUri}: {exception.Message}; the front door {state}.\n{frontDoor.Log()}", exception);
            }
        }
    }

    public string Log()
    {
        lock (_log)
            return $"--- front door ---\n{_log}";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
