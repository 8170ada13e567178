using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The front door (issue #15 §1) as its own process in front of the mesh's two intake replicas. Each test starts one; a
/// start takes seconds, so each test covers one side of it.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class FrontDoorTests(MeshFixture mesh)
{
    [Fact]
    public async Task An_office_submits_through_the_front_door_calls_spread_over_both_replicas_and_the_event_stream_flows()
    {
        await using var frontDoor = await FrontDoorProcess.Start(mesh);
        using var careOffice = frontDoor.ClientFor(MeshFixture.CareOffice);

        var id = await mesh.Submit(careOffice, SampleFiles.PlanSendUnit("20250623173000"));
        await mesh.WaitForState(careOffice, id, "AwaitingPickup");

        var replicas = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/submissions/{id}");
            request.Headers.Add("X-Request-Id", $"front-door-test-{i}");
            using var response = await careOffice.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"front-door-test-{i}", response.Headers.GetValues("X-Request-Id").Single());
            replicas.Add(response.Headers.GetValues("X-CarePlanMesh-Replica").Single());
        }
        Assert.Equal(["intake", "intake-2"], replicas.Order());

        using var provider = frontDoor.ClientFor(MeshFixture.Provider);
        using var stream = await provider.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        // The mesh sends a heartbeat comment every 2 s (Events:Heartbeat); a buffering proxy would hold them back.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var heartbeats = 0;
        while (heartbeats < 2 && await reader.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith(':'))
                heartbeats++;
        Assert.Equal(2, heartbeats);
    }

    [Fact]
    public async Task Only_the_connections_certificate_reaches_intake_and_bodies_over_the_limit_are_refused()
    {
        await using var frontDoor = await FrontDoorProcess.Start(mesh, new Dictionary<string, string> { ["FrontDoor__MaxRequestBodyBytes"] = "1048576" });
        var providerCertificate = Uri.EscapeDataString(await File.ReadAllTextAsync(Path.Combine(mesh.DemoDirectory, "offices", MeshFixture.Provider, "cert.pem")));

        // No certificate on the connection, the provider's in the header: intake sees none and says so in both languages.
        using var anonymous = frontDoor.ClientFor(null);
        anonymous.DefaultRequestHeaders.Add("X-Client-Cert", providerCertificate);
        var (userId, password) = mesh.Credentials(MeshFixture.Provider);
        var refused = await anonymous.PostAsJsonAsync("/v1/auth/token", new { userId, password });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("No client certificate", problem.GetProperty("detail").GetString());
        Assert.Contains("クライアント証明書", problem.GetProperty("detailJa").GetString());

        // The care office's certificate on the connection, the provider's in the header: the care office's staff member signs
        // in, which would fail on the provider's certificate.
        using var careOffice = frontDoor.ClientFor(MeshFixture.CareOffice, signIn: false);
        careOffice.DefaultRequestHeaders.Add("X-Client-Cert", providerCertificate);
        var (careUser, carePassword) = mesh.Credentials(MeshFixture.CareOffice);
        Assert.Equal(HttpStatusCode.OK, (await careOffice.PostAsJsonAsync("/v1/auth/token", new { userId = careUser, password = carePassword })).StatusCode);

        // A certificate from another CA is answered by the front door itself.
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={MeshFixture.Provider}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var stranger = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var strangerClient = mesh.ClientWith(stranger);
        strangerClient.BaseAddress = frontDoor.Address;
        var foreign = await strangerClient.GetAsync("/v1/mailbox");
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
        Assert.False(foreign.Headers.Contains("X-CarePlanMesh-Replica"), "The request must not reach intake.");
        problem = await foreign.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:client-certificate", problem.GetProperty("type").GetString());
        Assert.Contains("認証局", problem.GetProperty("detailJa").GetString());

        // Over the body limit: 413 before anything reaches intake. The client waits for "100 Continue" before sending the body,
        // as curl does for large bodies; without it, the answer races the body the front door will not read.
        using var signedIn = frontDoor.ClientFor(MeshFixture.CareOffice);
        var before = await mesh.StoredRows();
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions")
        {
            Content = SampleFiles.Form(("UPPLAN_202506_0300000100_43_0300000005_11_20250623180000.CSV", new byte[2 * 1024 * 1024])),
            Headers = { ExpectContinue = true },
        };
        var tooLarge = await signedIn.SendAsync(upload);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        problem = await tooLarge.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:too-large", problem.GetProperty("type").GetString());
        Assert.Contains("1048576", problem.GetProperty("detailJa").GetString());
        Assert.Equal(before, await mesh.StoredRows());
    }

    [Fact]
    public async Task With_one_replica_stopped_the_other_answers_and_with_both_stopped_a_503_problem_comes_at_once()
    {
        await using var frontDoor = await FrontDoorProcess.Start(mesh);
        using var provider = frontDoor.ClientFor(MeshFixture.Provider);
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync("/v1/mailbox")).StatusCode);
        var stopped = new List<string>();
        try
        {
            stopped.Add("intake-2");
            await mesh.Stop("intake-2");
            // Before the health checks notice, a refused connection is retried on the other replica: no call fails.
            for (var i = 0; i < 4; i++)
            {
                using var response = await provider.GetAsync("/v1/mailbox");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("intake", response.Headers.GetValues("X-CarePlanMesh-Replica").Single());
            }
            await frontDoor.WaitForReplicas(replicas => replicas.GetProperty("intake-2").GetString() == "NotReady");

            stopped.Add("intake");
            await mesh.Stop("intake");
            var clock = Stopwatch.StartNew();
            using var down = await provider.GetAsync("/v1/mailbox");
            clock.Stop();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The 503 took {clock.Elapsed}.");
            Assert.NotNull(down.Headers.RetryAfter);
            Assert.True(down.Headers.Contains("X-Request-Id"));
            var problem = await down.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("urn:careplanmesh:problem:intake-unavailable", problem.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("titleJa").GetString()));
        }
        finally
        {
            await Task.WhenAll(stopped.Select(mesh.Start));
        }
    }
}
