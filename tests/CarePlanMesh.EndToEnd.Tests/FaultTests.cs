using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// What an operator sees at 3 a.m.: during a steady stream of send units, RabbitMQ (twice), PostgreSQL and every service
/// process are killed with -9, one at a time, and started again. Within a minute of the last restart every queue has its
/// consumers, every kind of call answers, and every accepted unit is delivered exactly once.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class FaultTests(FaultMeshFixture mesh)
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(4);
    /// <summary>The 連番 of the unit sent while PostgreSQL is down, and the staff member registered then: both refused with 503.</summary>
    const string RefusedUnit = "20250708000000";
    const string RefusedStaff = "ID990000000401";
    [Fact]
    public async Task Killing_the_broker_the_database_and_every_service_loses_nothing_and_every_endpoint_comes_back()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        using var admin = mesh.ClientFor(MeshFixture.Operator);
        // Sign them in before the faults: a sign-in needs crypto.
        Assert.Equal(HttpStatusCode.OK, (await careOffice.GetAsync("/v1/licence")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync("/v1/licence")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/partnerships")).StatusCode);

        var stream = new SteadyStream(careOffice);
        var sending = stream.Run();
        await Task.Delay(Settle);

        await Fault("rabbitmq", mesh.Servers.Rabbit.Kill, mesh.Servers.Rabbit.Start, async () =>
        {
            // Health tells the truth: not ready without the broker, but alive, since a restart would not bring it back.
            await Poll.Until(async () => await Health("crypto", "ready") == (HttpStatusCode.ServiceUnavailable, "bus"), TimeSpan.FromSeconds(20),
                () => "crypto stayed ready without RabbitMQ");
            Assert.Equal(HttpStatusCode.OK, (await Health("crypto", "live")).Status);
        });
        await EveryEndpointConsumesAgain("rabbitmq");
        await Fault("rabbitmq again", mesh.Servers.Rabbit.Kill, mesh.Servers.Rabbit.Start);
        await EveryEndpointConsumesAgain("rabbitmq again");
        await Fault("postgresql", mesh.Servers.Postgres.Kill, mesh.Servers.Postgres.Start, async () =>
        {
            // While the database is down, every kind of call that needs it says so at once: 503, Retry-After, a bilingual
            // problem, no driver text — sign-in, sending, the mailbox, the registry and receipts alike.
            var (userId, password) = mesh.Credentials(MeshFixture.OtherProvider);
            using var signingIn = mesh.ClientFor(MeshFixture.OtherProvider, signIn: false);
            await DatabaseUnavailable("GET /v1/submissions", () => careOffice.GetAsync("/v1/submissions?limit=1"));
            await DatabaseUnavailable("POST /v1/auth/token", () => signingIn.PostAsJsonAsync("/v1/auth/token", new { userId, password }));
            await DatabaseUnavailable("POST /v1/submissions", () => careOffice.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit(RefusedUnit))));
            await DatabaseUnavailable("GET /v1/mailbox", () => provider.GetAsync("/v1/mailbox"));
            await DatabaseUnavailable("POST /v1/admin/offices/{office}/staff", () => admin.PostAsJsonAsync($"/v1/admin/offices/{MeshFixture.OtherProvider}/staff",
                new { userId = RefusedStaff, password = "fault-test-password-0001", admin = false }));
            await DatabaseUnavailable("GET receipts/received", () => careOffice.GetAsync($"/v1/submissions/{stream.Accepted.First()}/receipts/received"));
            await Poll.Until(async () => await Health("routing", "ready") == (HttpStatusCode.ServiceUnavailable, "postgres"), TimeSpan.FromSeconds(20),
                () => "routing stayed ready without PostgreSQL");
        });
        // Nothing of a refused call was half written: neither the unit nor the staff member exists now that the database is back.
        Assert.Empty(await mesh.StoredUnits(MeshFixture.CareOffice, RefusedUnit));
        Assert.Equal(0, await mesh.Count($"intake.staff WHERE user_id = '{RefusedStaff}'"));
        foreach (var service in MeshFixture.ServiceNames)
            await Fault(service, () => mesh.Stop(service), () => mesh.Start(service));
        var lastRestart = DateTime.UtcNow;
        await stream.Stop();
        await sending;

        // Within 60 s of the last restart: every queue that should have a consumer has one ...
        var minute = lastRestart.AddSeconds(60) - DateTime.UtcNow;
        await Poll.Until(async () => (await QueuesWithoutConsumers()).Count == 0, minute,
            () => $"Queues without a consumer: {string.Join(", ", QueuesWithoutConsumers().GetAwaiter().GetResult())}\n{mesh.Logs()}");

        // ... and sign-in, receipts, licences, partnerships and the registry all answer.
        var accepted = stream.Accepted.ToList();
        Assert.NotEmpty(accepted);
        using var signingIn = mesh.ClientFor(MeshFixture.OtherProvider);
        await Poll.Until(async () => await Answers(async () =>
            (await signingIn.GetAsync("/v1/partnerships")).StatusCode == HttpStatusCode.OK
            && (await careOffice.GetAsync("/v1/licence")).StatusCode == HttpStatusCode.OK
            && (await careOffice.GetAsync($"/v1/submissions/{accepted[0]}/receipts/received")).StatusCode == HttpStatusCode.OK
            && (await admin.PostAsJsonAsync("/v1/admin/offices", new { officeNumber = "1500000401", name = "障害試験訪問介護事業所", serviceTypes = new[] { "11" } })).StatusCode == HttpStatusCode.Accepted),
            lastRestart.AddSeconds(60) - DateTime.UtcNow, () => $"Calls did not all answer within 60 s of the last restart.\n{mesh.Logs()}");

        // No call answered with anything but success, a 503 (a dependency down) or no connection at all (intake down).
        Assert.DoesNotContain(stream.Answers, status => status is not (HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable));

        // Every unit the relay holds — accepted, or stored just before intake died — is delivered exactly once.
        var stored = await StoredUnits();
        Assert.Subset(stored.ToHashSet(), accepted.ToHashSet());
        foreach (var id in stored)
        {
            await mesh.WaitForState(careOffice, id, "AwaitingPickup");
            Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, (await provider.PostAsync($"/v1/mailbox/{id}/ack", null)).StatusCode);
        }
        foreach (var id in stored)
        {
            var status = await mesh.WaitForState(careOffice, id, "Acknowledged");
            var states = status.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("state").GetString()).ToList();
            Assert.Equal(1, states.Count(s => s == "AwaitingPickup"));
            Assert.Equal(1, await mesh.Count($"routing.mailbox_items WHERE submission_id = '{id}'"));
        }

        // The sweeper re-drove whatever failed transiently: no stale copy of a step command waits in an error queue.
        var errors = (await mesh.Servers.Rabbit.Queues(mesh.RabbitMq)).Where(q => q.Key.EndsWith("_error", StringComparison.Ordinal) && q.Value.Messages > 0).ToList();
        foreach (var (queue, (messages, _)) in errors)
            Console.Error.WriteLine($"fault test: {queue} holds {messages}, the first because {await FirstFault(queue)}");
        var steps = new[] { Contracts.Queues.ValidateSubmission, Contracts.Queues.SealSubmission, Contracts.Queues.RouteSubmission }.Select(q => $"{q}_error");
        Assert.DoesNotContain(errors, e => steps.Contains(e.Key));
    }

    /// <summary>
    /// Right after a broker restart, before the test restarts any service (which would hide an endpoint that never
    /// reconnected): every queue has its consumer again, every service is ready, and a staff member who was not signed in
    /// can sign in (intake asks crypto to check the certificate over the bus). An endpoint MassTransit does not bring back
    /// itself gets the watchdog's bus restart after the grace; one that a bus restart does not cure either makes the
    /// watchdog exit with code 3, and the test then starts that service again as its supervisor would (systemd,
    /// Kubernetes, deploy/local/up). Any other exit fails the test.
    /// </summary>
    async Task EveryEndpointConsumesAgain(string after)
    {
        var deadline = DateTime.UtcNow + MeshFixture.SelfHealingTime;
        var notReady = new List<string>();
        await Poll.Until(async () =>
        {
            await mesh.StartWhatTheWatchdogStopped($"fault test: after kill -9 {after}");
            if ((await QueuesWithoutConsumers()).Count > 0)
                return false;
            notReady.Clear();
            foreach (var service in MeshFixture.ServiceNames)
                if (!await Answers(async () => (await Health(service, "ready")).Status == HttpStatusCode.OK))
                    notReady.Add(service);
            return notReady.Count == 0;
        }, deadline - DateTime.UtcNow,
            () => $"After kill -9 {after}: queues without a consumer: {string.Join(", ", QueuesWithoutConsumers().GetAwaiter().GetResult())}; not ready: {string.Join(", ", notReady)}\n{mesh.Logs()}");
        var (userId, password) = mesh.Credentials(MeshFixture.OtherProvider);
        using var fresh = mesh.ClientFor(MeshFixture.OtherProvider, signIn: false);
        using var signIn = await fresh.PostAsJsonAsync("/v1/auth/token", new { userId, password });
        Assert.True(signIn.StatusCode == HttpStatusCode.OK, $"After kill -9 {after}: a sign-in answered {signIn.StatusCode}: {await signIn.Content.ReadAsStringAsync()}");
        Assert.False(string.IsNullOrEmpty((await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()));
        Console.Error.WriteLine($"fault test: every endpoint consumes again after kill -9 {after}");
    }

    /// <summary>A call that needs PostgreSQL while it is down: 503 at once, Retry-After, English and Japanese, no driver's text.</summary>
    static async Task DatabaseUnavailable(string call, Func<Task<HttpResponseMessage>> send)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var response = await send();
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{call} answered {response.StatusCode} without PostgreSQL: {body}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{call}: 503 after {clock.Elapsed}");
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = JsonDocument.Parse(body).RootElement;
        // Sign-in asks crypto first, whose database is down too: a dependency that does not answer, said the same way.
        Assert.Matches("(database|dependency)-unavailable$", problem.GetProperty("type").GetString());
        foreach (var field in new[] { "title", "detail", "titleJa", "detailJa" })
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty(field).GetString()), $"{call}: no {field}");
        Assert.DoesNotContain("Npgsql", body);
        Assert.DoesNotContain("127.0.0.1", body);
    }

    /// <summary>A service's /health/ready or /health/live: its status and the first check that is not healthy.</summary>
    async Task<(HttpStatusCode Status, string? Failing)> Health(string service, string kind)
    {
        using var http = new HttpClient { BaseAddress = mesh.Management[service], Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync($"/health/{kind}");
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").EnumerateArray();
        return (response.StatusCode, checks.Where(c => c.GetProperty("status").GetString() != "Healthy").Select(c => c.GetProperty("name").GetString()).FirstOrDefault());
    }

    /// <summary>A sign-in that is refused while a dependency is still coming back, or a service that is not listening (yet), surfaces as an exception from the client.</summary>
    static async Task<bool> Answers(Func<Task<bool>> calls)
    {
        try
        {
            return await calls();
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    async Task Fault(string what, Func<Task> kill, Func<Task> start, Func<Task>? whileDown = null)
    {
        Console.Error.WriteLine($"fault test: kill -9 {what}");
        await kill();
        if (whileDown is not null)
            await whileDown();
        await Task.Delay(Outage);
        await start();
        await Task.Delay(Settle);
    }

    async Task<List<string>> QueuesWithoutConsumers() =>
    [
        .. (await mesh.Servers.Rabbit.Queues(mesh.RabbitMq))
            .Where(q => !q.Key.EndsWith("_error", StringComparison.Ordinal) && !q.Key.EndsWith("_skipped", StringComparison.Ordinal) && q.Value.Consumers == 0)
            .Select(q => q.Key),
    ];

    /// <summary>Why the first message of an error queue failed, as MassTransit recorded it in its headers.</summary>
    async Task<string> FirstFault(string queue)
    {
        var user = mesh.RabbitMq.UserInfo.Split(':');
        var factory = new RabbitMQ.Client.ConnectionFactory
        {
            HostName = mesh.RabbitMq.Host, Port = mesh.RabbitMq.Port, UserName = user[0], Password = user[1],
            VirtualHost = Uri.UnescapeDataString(mesh.RabbitMq.AbsolutePath.TrimStart('/')),
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var message = await channel.BasicGetAsync(queue, autoAck: false);
        if (message?.BasicProperties.Headers is not { } headers)
            return "(none)";
        return string.Join("; ", headers.Where(h => h.Key.StartsWith("MT-Fault", StringComparison.Ordinal))
            .Select(h => $"{h.Key}={(h.Value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : h.Value)}"));
    }

    Task<List<Guid>> StoredUnits() => mesh.StoredUnits(MeshFixture.CareOffice, SteadyStream.Prefix);

    /// <summary>A care office sending one send unit every 300 ms, each with its own 連番, noting what the relay answered.</summary>
    sealed class SteadyStream(HttpClient sender)
    {
        /// <summary>The 連番 of the stream's units start with this (a day no other test uses).</summary>
        public const string Prefix = "20250707";
        readonly CancellationTokenSource _stop = new();

        public ConcurrentBag<Guid> Accepted { get; } = [];
        public ConcurrentBag<HttpStatusCode> Answers { get; } = [];

        public async Task Run()
        {
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                var serial = $"{Prefix}{n / 3600 % 24:00}{n / 60 % 60:00}{n % 60:00}";
                try
                {
                    using var response = await sender.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit(serial)));
                    Answers.Add(response.StatusCode);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                        Accepted.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                }
                catch (HttpRequestException)
                {
                    // Intake itself is down: the client cannot connect, the relay holds nothing of this unit.
                }
                await Task.Delay(300);
            }
        }

        public Task Stop() => _stop.CancelAsync();
    }
}
