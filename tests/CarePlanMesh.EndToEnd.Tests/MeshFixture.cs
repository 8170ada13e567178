using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CarePlanMesh.Security;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The whole mesh as an operator runs it: the six services as separate processes from their build output, on a
/// fresh database and virtual host of the test infrastructure, with a freshly made development PKI.
/// </summary>
public class MeshFixture : IAsyncLifetime
{
    public const string CareOffice = "0300000100";
    public const string Provider = "0300000005";
    public const string OtherProvider = "0300000007";
    /// <summary>The relay operator's desk, whose staff member is an admin of the registry API.</summary>
    public const string Operator = "0100000001";
    /// <summary>Offices of the partnership and licence tests: registered, nobody's partner, without a licence.</summary>
    public const string NewCareOffice = "1300000201";
    public const string NewProvider = "1300000202";
    /// <summary>A partnered, licensed pair of its own for the ordering tests, so that no other test's units sit in its mailbox.</summary>
    public const string OrderedCareOffice = "1300000203";
    public const string OrderedProvider = "1300000204";
    /// <summary>An office whose certificate a test revokes.</summary>
    public const string RevokedProvider = "1400000205";
    /// <summary>A partnered, licensed pair of its own for the vendor API tests (lists, idempotency, events), outside every directory search the tests make.</summary>
    public const string VendorCareOffice = "2700000206";
    public const string VendorProvider = "2700000207";
    /// <summary>A partnered, licensed pair of its own for the notification topic tests, whose time travel touches no other test's units.</summary>
    public const string NoticeCareOffice = "2800000208";
    public const string NoticeProvider = "2800000209";
    /// <summary>A partnered, licensed pair of its own for the office agent tests: the agents import and acknowledge whatever reaches their office.</summary>
    public const string AgentCareOffice = "2900000210";
    public const string AgentProvider = "2900000211";
    /// <summary>A partnered, licensed pair of its own for the agent's web page tests (Browser/), so the page's lists hold only their units.</summary>
    public const string PageCareOffice = "2900000212";
    public const string PageProvider = "2900000213";
    /// <summary>A partnered, licensed pair of its own for the relay-certificate renewal test, whose agent must find only its units.</summary>
    public const string RenewalCareOffice = "3100000301";
    public const string RenewalProvider = "3100000302";
    /// <summary>A partnered, licensed pair of its own for the inbox and delivery-channel tests, whose inboxes, webhooks and e-mail preferences no other test touches.</summary>
    public const string InboxCareOffice = "3200000401";
    public const string InboxProvider = "3200000402";
    /// <summary>The one office with a tiny rate limit (RateLimits:Offices), which only the rate limit test uses.</summary>
    public const string RateLimitedOffice = "2700000208";

    static readonly DemoOffice[] Offices =
    [
        .. DevelopmentPki.DefaultOffices,
        new(NewCareOffice, ["43"], "テスト居宅介護支援事業所", Licensed: false),
        new(NewProvider, ["11"], "テスト訪問介護事業所", Licensed: false),
        new(OrderedCareOffice, ["43"], "順序テスト居宅介護支援事業所", [OrderedProvider]),
        new(OrderedProvider, ["11"], "順序テスト訪問介護事業所"),
        new(RevokedProvider, ["13"], "失効テスト訪問看護事業所"),
        new(VendorCareOffice, ["43"], "API テスト居宅介護支援事業所", [VendorProvider]),
        new(VendorProvider, ["13"], "API テスト訪問看護事業所"),
        new(NoticeCareOffice, ["43"], "通知テスト居宅介護支援事業所", [NoticeProvider]), new(NoticeProvider, ["13"], "通知テスト訪問看護事業所"),
        new(RateLimitedOffice, ["43"], "上限テスト居宅介護支援事業所"),
        new(AgentCareOffice, ["43"], "エージェントテスト居宅介護支援事業所", [AgentProvider]), new(AgentProvider, ["13"], "エージェントテスト訪問看護事業所"),
        new(PageCareOffice, ["43"], "画面テスト居宅介護支援事業所", [PageProvider]), new(PageProvider, ["13"], "画面テスト訪問看護事業所"),
        new(RenewalCareOffice, ["43"], "証明書更新テスト居宅介護支援事業所", [RenewalProvider]), new(RenewalProvider, ["13"], "証明書更新テスト訪問看護事業所"),
        new(InboxCareOffice, ["43"], "受信箱テスト居宅介護支援事業所", [InboxProvider]), new(InboxProvider, ["13"], "受信箱テスト訪問看護事業所"),
    ];

    static readonly (string Dir, string Name)[] Services =
    [
        // Two routing replicas compete for the same queues, as ops would scale it: placement order must hold across them.
        ("Routing", "routing"), ("Routing", "routing-2"), ("Crypto", "crypto"), ("Validation", "validation"),
        ("Notification", "notification"), ("BillingReconciliation", "billing-reconciliation"), ("Intake", "intake"),
        // A second intake replica on its own public address: the event stream must reach an office on either.
        ("Intake", "intake-2"),
    ];

    readonly List<ServiceProcess> _services = [];

    /// <summary>The service processes by name (replicas included), in the order they start.</summary>
    public static IReadOnlyList<string> ServiceNames { get; } = [.. Services.Select(s => s.Name)];
    /// <summary>Where every service's outbound HTTP goes (HTTP_PROXY, HTTPS_PROXY): it notes each attempt and refuses it.</summary>
    public OutboundTrap Outbound { get; } = new();
    /// <summary>Where every service exports its traces (OTLP/HTTP), kept in memory for the trace tests.</summary>
    public OtlpReceiver Telemetry { get; } = new();

    /// <summary>The real SMTP server notification sends to (docs/notifications.md).</summary>
    public netDumbster.smtp.SimpleSmtpServer Smtp { get; } = netDumbster.smtp.SimpleSmtpServer.Start(Infrastructure.FreePort());

    public string DemoDirectory { get; } = Directory.CreateTempSubdirectory("careplanmesh-e2e-").FullName;
    public string PostgresConnectionString { get; private set; } = "";
    public Uri BaseAddress { get; private set; } = null!;
    public Uri SecondIntakeAddress { get; private set; } = null!;
    public Dictionary<string, Uri> Management { get; } = [];
    /// <summary>The virtual host the services run on, for tests that play an operator's tool on the bus.</summary>
    public Uri RabbitMq { get; private set; } = null!;
    public X509Certificate2 Ca { get; private set; } = null!;

    Infrastructure _infrastructure = null!;

    /// <summary>The RabbitMQ and PostgreSQL the mesh runs on: those every test collection shares, unless a fixture brings its own.</summary>
    protected virtual Task<Infrastructure> StartInfrastructure() => Infrastructure.GetAsync();

    /// <summary>Settings a fixture adds to or changes in every service's environment.</summary>
    protected virtual void Configure(string service, Dictionary<string, string> environment)
    {
    }

    public async Task InitializeAsync()
    {
        var infrastructure = _infrastructure = await StartInfrastructure();
        PostgresConnectionString = await infrastructure.CreateDatabaseAsync("e2e");
        var rabbit = await infrastructure.CreateVirtualHostAsync("e2e");
        RabbitMq = rabbit;
        DevelopmentPki.Create(DemoDirectory, Offices, passwordIterations: 10_000);
        Ca = Pem.LoadCertificate(Path.Combine(DemoDirectory, "ca.pem"));
        BaseAddress = new Uri($"https://127.0.0.1:{Infrastructure.FreePort()}");
        SecondIntakeAddress = new Uri($"https://127.0.0.1:{Infrastructure.FreePort()}");

        foreach (var (dir, name) in Services)
        {
            var management = new Uri($"http://127.0.0.1:{Infrastructure.FreePort()}");
            Management[name] = management;
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__Postgres"] = PostgresConnectionString,
                ["ConnectionStrings__RabbitMq"] = rabbit.ToString(),
                ["ASPNETCORE_URLS"] = management.ToString(),
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                // A failure message carries the services' logs; the times say how long each step took.
                ["Logging__Console__FormatterName"] = "simple",
                ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
                ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
                ["Intake__PublicUrl"] = BaseAddress.ToString(),
                ["Intake__ServerCertificate"] = Path.Combine(DemoDirectory, "server", "cert.pem"),
                ["Intake__ServerKey"] = Path.Combine(DemoDirectory, "server", "key.pem"),
                ["Intake__ClientCa"] = Path.Combine(DemoDirectory, "ca.pem"),
                ["Crypto__RelayCertificate"] = Path.Combine(DemoDirectory, "relay", "cert.pem"),
                ["Crypto__RelayKey"] = Path.Combine(DemoDirectory, "relay", "key.pem"),
                ["Directory__SeedFile"] = Path.Combine(DemoDirectory, "offices.json"),
                ["Sweeper__Interval"] = "00:00:01",
                // A front door terminating TLS connects from 127.0.0.2 (see ClientThroughFrontDoor).
                ["Intake__TrustedProxies__0"] = FrontDoorAddress.ToString(),
                // Payloads at rest under the older key decrypt after rotation; new ones use the active key.
                ["MessageData__Keys__2025a"] = PayloadKeys.Old,
                ["MessageData__Keys__2026a"] = PayloadKeys.Active,
                ["MessageData__ActiveKey"] = "2026a",
                ["Reconciliation__PseudonymKey"] = PayloadKeys.Pseudonyms,
                // Short retention, purged only when a test asks (the scheduled run waits an hour).
                ["Retention__SealedPackages"] = "00:00:01",
                ["Retention__Metadata"] = "00:00:04",
                ["Retention__Interval"] = "01:00:00",
                // Notification: the test's SMTP server (no TLS), a webhook receiver on loopback http, retries within seconds.
                ["Smtp__Host"] = "127.0.0.1", ["Smtp__Port"] = Smtp.Configuration.Port.ToString(), ["Smtp__Security"] = "None", ["Smtp__RetryBase"] = "00:00:01",
                ["Webhooks__AllowLoopbackHttp"] = "true", ["Webhooks__RetryDelays__0"] = "00:00:01", ["Webhooks__RetryDelays__1"] = "00:00:02", ["Webhooks__RetryDelays__2"] = "00:00:03",
                ["Webhooks__RequestTimeout"] = "00:00:03",
                ["Events__Heartbeat"] = "00:00:02",
                // Outbound network refused: any HTTP call to a host that is not loopback lands in the trap.
                ["HTTP_PROXY"] = Outbound.Address, ["HTTPS_PROXY"] = Outbound.Address, ["ALL_PROXY"] = Outbound.Address,
                ["NO_PROXY"] = "127.0.0.1,localhost,::1",
                ["Metrics__SampleInterval"] = "00:00:01",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint, ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf", ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
                [$"RateLimits__Offices__{RateLimitedOffice}__PermitsPerSecond"] = "1", [$"RateLimits__Offices__{RateLimitedOffice}__Burst"] = "5",
            };
            if (name == "intake-2")
                environment["Intake__PublicUrl"] = SecondIntakeAddress.ToString();
            Configure(name, environment);
            var service = new ServiceProcess(dir, name, environment, Path.Combine(DemoDirectory, $"{name}.log"));
            _services.Add(service);
            Launch(service);
        }

        foreach (var service in _services)
            await WaitUntilReady(service);
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var service in _services)
            await Stop(service);
        Smtp.Dispose();
        Outbound.Dispose();
        Telemetry.Dispose();
        Directory.Delete(DemoDirectory, recursive: true);
    }

    /// <summary>Stops one service process (e.g. "notification") as a crash would, and waits until it has exited.</summary>
    public Task Stop(string name) => Stop(Service(name));

    /// <summary>The exit code of a service process that has exited by itself or been stopped; null while it runs.</summary>
    public int? ExitCode(string name) => Service(name).Process is { HasExited: true } process ? process.ExitCode : null;

    /// <summary>
    /// In the meshes that play out faults (fault and cluster): how long a receive endpoint may go without a consumer before
    /// the watchdog restarts the bus (Health:EndpointGrace), so that the faults play out in a test's time.
    /// </summary>
    public static readonly TimeSpan FaultEndpointGrace = TimeSpan.FromSeconds(15);

    /// <summary>The watchdog of a mesh that plays out faults: <see cref="FaultEndpointGrace"/>, and a look every 2 s.</summary>
    protected static void WatchdogForFaults(Dictionary<string, string> environment)
    {
        environment["Health__EndpointGrace"] = FaultEndpointGrace.ToString();
        environment["Health__WatchdogInterval"] = "00:00:02";
    }

    /// <summary>
    /// The longest a service's endpoints may take to consume again after a fault in such a mesh: the grace, the bus restart
    /// and the endpoints' reconnect (15 s, the 2 s watchdog interval included), the grace again, the host's shutdown timeout
    /// of a service whose watchdog exits (30 s: a supervisor starts a service again only once it has exited), and its start
    /// until ready on this machine (30 s).
    /// </summary>
    public static TimeSpan SelfHealingTime =>
        FaultEndpointGrace + TimeSpan.FromSeconds(15) + FaultEndpointGrace + TimeSpan.FromSeconds(30) + TimeSpan.FromSeconds(30);

    /// <summary>
    /// What a supervisor (systemd, Kubernetes, deploy/local/up) does: starts again every service whose watchdog exited with code 3,
    /// saying so on standard error; any other exit fails the test. <paramref name="context"/> says when, for both messages.
    /// </summary>
    public async Task StartWhatTheWatchdogStopped(string context)
    {
        foreach (var service in ServiceNames)
            if (ExitCode(service) is { } code)
            {
                Assert.True(code == 3, $"{context}: {service} exited with code {code}, not the watchdog's 3\n{Logs()}");
                Console.Error.WriteLine($"{context}: {service}'s watchdog exited with code 3 ({LastLine(service, "Exiting with code")}); starting it again as a supervisor would");
                await Start(service);
            }
    }

    /// <summary>
    /// Every service's log entries (time, level, message) written by the watchdog, and MassTransit's bus starts and stops: what
    /// a failure of self-healing needs first, which a log's tail may have scrolled past.
    /// </summary>
    public string WatchdogEntries() => string.Join("\n", ServiceNames.Select(service =>
    {
        var lines = ReadLog(Service(service).Log).Split('\n');
        var entries = lines.Select((header, i) => (header, message: i + 1 < lines.Length ? lines[i + 1].Trim() : ""))
            .Where(e => e.header.Contains("EndpointWatchdog", StringComparison.Ordinal)
                || (e.header.Contains("MassTransit[", StringComparison.Ordinal) && e.message.StartsWith("Bus ", StringComparison.Ordinal)))
            .Select(e => $"  {e.header.Split(' ')[0]} {e.header.Split(' ').ElementAtOrDefault(1)} {e.message}");
        return $"--- {service}: watchdog and bus ---\n{string.Join("\n", entries)}";
    }));

    /// <summary>The last line of a service's log that contains <paramref name="text"/> (every run of it appends to the same log).</summary>
    public string LastLine(string service, string text) =>
        ReadLog(Service(service).Log).Split('\n').LastOrDefault(line => line.Contains(text, StringComparison.Ordinal))?.Trim() ?? "(not in its log)";

    /// <summary>Starts a stopped service again with the same environment and waits until its /health/ready answers 200.</summary>
    public async Task Start(string name)
    {
        var service = Service(name);
        if (!service.Process.HasExited)
            throw new InvalidOperationException($"Service {name} is still running.");
        Launch(service);
        await WaitUntilReady(service);
    }

    /// <summary>
    /// Makes the broker refuse every message for a queue (a RabbitMQ policy: max-length 0, reject-publish) while its consumer keeps
    /// running, so that whoever asks it gets no answer, until the returned handle is disposed.
    /// </summary>
    public async Task<IAsyncDisposable> Refuse(string queue)
    {
        var policy = $"refuse-{queue}";
        await _infrastructure.SetPolicyAsync(RabbitMq, policy, $"^{queue}$", """{"max-length":0,"overflow":"reject-publish"}""");
        return new Cleared(() => _infrastructure.ClearPolicyAsync(RabbitMq, policy));
    }

    /// <summary>The queues the mesh's virtual host has, as the broker's administration lists them.</summary>
    public Task<IReadOnlyList<BrokerQueue>> BrokerQueues() => _infrastructure.QueuesAsync(RabbitMq);

    sealed class Cleared(Func<Task> clear) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await clear();
    }

    /// <summary>
    /// Restarts a service with these settings added or changed, as a redeploy with a new configuration would; disposing the
    /// handle restarts it on its own settings again.
    /// </summary>
    public async Task<IAsyncDisposable> Reconfigure(string name, IReadOnlyDictionary<string, string> settings)
    {
        var service = Service(name);
        var original = settings.Keys.ToDictionary(key => key, key => service.Environment.GetValueOrDefault(key));
        await Stop(service);
        foreach (var (key, value) in settings)
            service.Environment[key] = value;
        await Start(name);
        return new Cleared(async () =>
        {
            await Stop(service);
            foreach (var (key, value) in original)
                if (value is null)
                    service.Environment.Remove(key);
                else
                    service.Environment[key] = value;
            await Start(name);
        });
    }

    /// <summary>Kills a service's process and starts it again on the same configuration, as a crash and a restart would.</summary>
    public async Task Restart(string name)
    {
        await Stop(name);
        await Start(name);
    }

    /// <summary>The address a TLS-terminating front door connects from (see <see cref="ClientThroughFrontDoor"/>).</summary>
    public static readonly IPAddress FrontDoorAddress = IPAddress.Parse("127.0.0.2");

    /// <summary>
    /// A client that connects like a TLS-terminating front door: from <paramref name="source"/>, without a client certificate of
    /// its own, forwarding the office's certificate in the X-Client-Cert header (URL-escaped PEM, as nginx does).
    /// </summary>
    public HttpClient ClientThroughFrontDoor(string office, IPAddress source)
    {
        var handler = TrustingTheDevelopmentCa(clientCertificate: null);
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        };
        var client = ClientOfTheEdge(handler);
        client.DefaultRequestHeaders.Add("X-Client-Cert", Uri.EscapeDataString(File.ReadAllText(Path.Combine(DemoDirectory, "offices", office, "cert.pem"))));
        return client;
    }

    /// <summary>The demo staff member of an office, as `cpm dev-pki` wrote it to user.json: the body of POST /v1/auth/token.</summary>
    public (string UserId, string Password) Credentials(string office)
    {
        using var user = JsonDocument.Parse(File.ReadAllText(Path.Combine(DemoDirectory, "offices", office, "user.json")));
        return (user.RootElement.GetProperty("userId").GetString()!, user.RootElement.GetProperty("password").GetString()!);
    }

    /// <summary>A new client certificate for an office from the development CA, as the operator's CA would issue it (not registered).</summary>
    public X509Certificate2 IssueCertificate(string office)
    {
        var ca = Pem.LoadCertificateWithKey(Path.Combine(DemoDirectory, "ca.pem"), Path.Combine(DemoDirectory, "ca-key.pem"));
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new CertificateRequest($"CN={office}, O=test, C=JP", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A client presenting any certificate, e.g. one the relay does not know.</summary>
    public HttpClient ClientWith(X509Certificate2 certificate) => ClientOfTheEdge(TrustingTheDevelopmentCa(certificate));

    /// <summary>Sends a command on the mesh's bus, as an operator's tool would (the admin API of issue #4 sends the same).</summary>
    public async Task Send<T>(string queue, T message) where T : class
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            var user = RabbitMq.UserInfo.Split(':');
            cfg.Host(RabbitMq.Host, (ushort)RabbitMq.Port, RabbitMq.AbsolutePath.TrimStart('/'), h => { h.Username(user[0]); h.Password(user[1]); });
        });
        await bus.StartAsync();
        try
        {
            await (await bus.GetSendEndpoint(Contracts.Queues.Address(queue))).Send(message);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    /// <summary>Waits up to 30 s for something the mesh does asynchronously.</summary>
    public Task Eventually(Func<Task<bool>> condition) =>
        Poll.Until(condition, TimeSpan.FromSeconds(30), () => $"The condition did not hold within 30 s.\n{Logs()}");

    /// <summary>An HTTPS client that presents the office's certificate (none for a null office) and, unless told not to, signs its staff member in.</summary>
    /// <param name="signIn">False for a client that presents the certificate but has not signed in.</param>
    public HttpClient ClientFor(string? office, bool signIn = true) => ClientOfTheEdge(HandlerFor(office, signIn));

    /// <summary>The handler of <see cref="ClientFor"/>: the office's certificate, and its staff member signed in unless told not to.</summary>
    public HttpMessageHandler HandlerFor(string? office, bool signIn = true)
    {
        var handler = TrustingTheDevelopmentCa(office is null ? null : OfficeCertificate(office));
        return office is null || !signIn ? handler : new SignedIn(handler, Path.Combine(DemoDirectory, "offices", office, "user.json"));
    }

    /// <summary>Every client of the public edge trusts only the development CA that issued the server's certificate.</summary>
    SocketsHttpHandler TrustingTheDevelopmentCa(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, server, _, _) => server is not null && new X509Chain
                {
                    ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { Ca }, RevocationMode = X509RevocationMode.NoCheck },
                }.Build(new X509Certificate2(server)),
            },
        };
        if (clientCertificate is not null)
            handler.SslOptions.ClientCertificates = [clientCertificate];
        return handler;
    }

    HttpClient ClientOfTheEdge(HttpMessageHandler handler) => new(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Signs the office's demo staff member in on first use and sends the token with every call, as a vendor's client would.</summary>
    sealed class SignedIn(HttpMessageHandler inner, string userFile) : DelegatingHandler(inner)
    {
        string? _token;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (_token is null && request.RequestUri?.AbsolutePath != "/v1/auth/token")
            {
                var signIn = new HttpRequestMessage(HttpMethod.Post, new Uri(request.RequestUri!, "/v1/auth/token"))
                {
                    Content = new StringContent(await File.ReadAllTextAsync(userFile, cancellationToken), System.Text.Encoding.UTF8, "application/json"),
                };
                using var response = await base.SendAsync(signIn, cancellationToken);
                response.EnsureSuccessStatusCode();
                _token = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString();
            }
            if (_token is not null && request.Headers.Authorization is null)
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _token);
            return await base.SendAsync(request, cancellationToken);
        }
    }

    public X509Certificate2 OfficeCertificate(string office) =>
        Pem.LoadCertificateWithKey(Path.Combine(DemoDirectory, "offices", office, "cert.pem"), Path.Combine(DemoDirectory, "offices", office, "key.pem"));

    public async Task<long> Count(string table)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The ids of every unit intake holds from <paramref name="sender"/> whose 連番 starts with <paramref name="sendUnitPrefix"/>, accepted or not answered yet.</summary>
    public async Task<List<Guid>> StoredUnits(string sender, string sendUnitPrefix)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT correlation_id FROM intake.submissions WHERE sender_office = @sender AND send_unit LIKE @prefix", connection);
        command.Parameters.AddWithValue("sender", sender);
        command.Parameters.AddWithValue("prefix", sendUnitPrefix + "%");
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            ids.Add(reader.GetGuid(0));
        return ids;
    }

    /// <summary>Runs SQL against the mesh's database: only for moving time in tests (e.g. a licence that ended yesterday).</summary>
    public async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Time travel for a submission: moves its deadline (<paramref name="to"/> is SQL, e.g. now() - interval '1 second') in the
    /// saga's data and in the columns projected from it (the swept deadline and state_deadline), and returns it.
    /// </summary>
    public async Task<DateTimeOffset> MoveDeadline(Guid id, string to)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($$"""
            UPDATE intake.submissions SET deadline = {{to}}, state_deadline = {{to}}, data = jsonb_set(data, '{deadline}', to_jsonb({{to}}))
            WHERE correlation_id = '{{id}}'
            RETURNING state_deadline
            """, connection);
        return (DateTimeOffset)(DateTime)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>What intake has stored: submissions and claim-check payloads. Unchanged when a request is refused.</summary>
    public async Task<(long Submissions, long Payloads)> StoredRows() =>
        (await Count("intake.submissions"), await Count("messagedata.payloads"));

    /// <summary>Polls the sender's view of a submission until it reaches the state, for at most a minute.</summary>
    public Task<JsonElement> WaitForState(HttpClient client, Guid id, string state) =>
        Poll.Until(() => Status(client, id), status => status.GetProperty("state").GetString() == state, TimeSpan.FromSeconds(60),
            last => $"Submission {id} did not reach {state}; last status: {last}\n{Logs()}");

    /// <summary>The sender's view of a submission: GET /v1/submissions/{id}.</summary>
    public Task<JsonElement> Status(HttpClient client, Guid id) => client.GetFromJsonAsync<JsonElement>($"/v1/submissions/{id}");

    /// <summary>Posts the files as one submission (with the Idempotency-Key when given), which the relay must accept (202), and returns its id.</summary>
    public async Task<Guid> Submit(HttpClient sender, (string Name, byte[] Content)[] files, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions") { Content = SampleFiles.Form(files) };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        var response = await sender.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Submits the files and waits until the submission reaches the state: its id and the sender's view of it then.</summary>
    public async Task<(Guid Id, JsonElement Status)> SubmitAndWaitFor(HttpClient sender, (string Name, byte[] Content)[] files, string state)
    {
        var id = await Submit(sender, files);
        return (id, await WaitForState(sender, id, state));
    }

    public string Logs() => string.Join("\n", _services.Select(s => $"--- {s.Name} ---\n{Tail(s.Log)}"));

    /// <summary>One service as a process, with what starting it (again) takes; every run of it appends to the same log.</summary>
    sealed record ServiceProcess(string Dir, string Name, Dictionary<string, string> Environment, string Log)
    {
        public StreamWriter Writer { get; } = new(Log) { AutoFlush = true };
        public Process Process { get; set; } = null!;
    }

    ServiceProcess Service(string name) =>
        _services.SingleOrDefault(s => s.Name == name) ?? throw new ArgumentException($"The mesh runs no service called {name}.", nameof(name));

    void Launch(ServiceProcess service)
    {
        var dll = BuiltAssembly(Path.Combine("services", service.Dir), $"CarePlanMesh.{service.Dir}.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in service.Environment)
            start.Environment[key] = value;
        var writer = service.Writer;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        service.Process = process;
    }

    static async Task Stop(ServiceProcess service)
    {
        if (!service.Process.HasExited)
            service.Process.Kill(entireProcessTree: true);
        await service.Process.WaitForExitAsync();
    }

    async Task WaitUntilReady(ServiceProcess service)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var ready = new Uri(Management[service.Name], "/health/ready");
        await Poll.Until(async () =>
        {
            if (service.Process.HasExited)
                throw new InvalidOperationException($"Service {service.Name} exited with code {service.Process.ExitCode}.\n{Logs()}");
            try
            {
                using var response = await http.GetAsync(ready);
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return false; // not listening yet
            }
        }, TimeSpan.FromSeconds(90), () => $"Service {service.Name} was not ready within 90 s.\n{Logs()}");
    }

    /// <summary>A service's whole log, while the service may still be writing it.</summary>
    static string ReadLog(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd();
    }

    static string Tail(string path)
    {
        try
        {
            // Stack frames and their separators left out: a service retrying a connection otherwise fills the tail with them.
            return string.Join("\n", ReadLog(path).Split('\n')
                .Where(l => l.TrimStart() is var text && !text.StartsWith("at ", StringComparison.Ordinal) && !text.StartsWith("--- End of", StringComparison.Ordinal))
                .TakeLast(40));
        }
        catch (IOException exception)
        {
            return $"(log not readable: {exception.Message})";
        }
    }

    /// <summary>A program of the solution in its build output of the configuration these tests run in.</summary>
    public static string BuiltAssembly(string projectDirectory, string assembly)
    {
        var dll = Path.Combine(RepositoryRoot(), projectDirectory, "bin", BuildConfiguration(), "net10.0", assembly);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is not built; run `dotnet build CarePlanMesh.sln` first.", dll);
    }

    static string BuildConfiguration() => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CarePlanMesh.sln")))
                return dir.FullName;
        throw new InvalidOperationException("CarePlanMesh.sln not found above the test output folder.");
    }
}

static class PayloadKeys
{
    public static readonly string Old = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    public static readonly string Active = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    public static readonly string Pseudonyms = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}

[CollectionDefinition(Name)]
public sealed class MeshCollection : ICollectionFixture<MeshFixture>
{
    public const string Name = "mesh";
}
