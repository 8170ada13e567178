using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The front door (issue #15 §1) as its own process in front of the mesh's two intake replicas.</summary>
[Collection(MeshCollection.Name)]
public sealed class FrontDoorTests(MeshFixture mesh)
{
    [Fact]
    public async Task An_office_submits_through_the_front_door_and_calls_spread_over_both_replicas()
    {
        await using var frontDoor = await FrontDoorProcess.Start(mesh);
        using var careOffice = frontDoor.ClientFor(MeshFixture.CareOffice);

        var id = await mesh.Submit(careOffice, SampleFiles.PlanSendUnit("20250623173000"));
        await mesh.WaitForState(careOffice, id, "AwaitingPickup");

        var replicas = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/submissions/{id}");
            request.Headers.Add("X-Request-Id", $"front-door-test-{i}");
            using var response = await careOffice.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"front-door-test-{i}", response.Headers.GetValues("X-Request-Id").Single());
            replicas.Add(response.Headers.GetValues("X-CarePlanMesh-Replica").Single());
        }
        Assert.Equal(["intake", "intake-2"], replicas.Order());
    }

    [Fact]
    public async Task The_event_stream_comes_through_unbuffered()
    {
        await using var frontDoor = await FrontDoorProcess.Start(mesh);
        using var provider = frontDoor.ClientFor(MeshFixture.Provider);

        using var response = await provider.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The mesh sends a heartbeat comment every 2 s (Events:Heartbeat); a buffering proxy would hold them back.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var heartbeats = 0;
        while (heartbeats < 2 && await reader.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith(':'))
                heartbeats++;
        Assert.Equal(2, heartbeats);
    }

    [Fact]
    public async Task A_forwarded_certificate_header_from_the_caller_is_replaced_by_the_connections_certificate()
    {
        await using var frontDoor = await FrontDoorProcess.Start(mesh);
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

        // The care office's certificate on the connection, the provider's in the header: the care office's staff signs in,
        // which it could not on the provider's certificate.
        using var careOffice = frontDoor.ClientFor(MeshFixture.CareOffice, signIn: false);
        careOffice.DefaultRequestHeaders.Add("X-Client-Cert", providerCertificate);
        var (careUser, carePassword) = mesh.Credentials(MeshFixture.CareOffice);
        var signIn = await careOffice.PostAsJsonAsync("/v1/auth/token", new { userId = careUser, password = carePassword });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    [Fact]
    public async Task A_certificate_from_another_CA_is_refused_at_the_front_door_with_a_bilingual_problem()
    {
        await using var frontDoor = await FrontDoorProcess.Start(mesh);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={MeshFixture.Provider}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var stranger = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var client = mesh.ClientWith(stranger);
        client.BaseAddress = frontDoor.Address;

        var response = await client.GetAsync("/v1/mailbox");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("X-CarePlanMesh-Replica"), "The request must not reach intake.");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:client-certificate", problem.GetProperty("type").GetString());
        Assert.Contains("認証局", problem.GetProperty("detailJa").GetString());
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_gets_a_413_problem()
    {
        await using var frontDoor = await FrontDoorProcess.Start(mesh, new Dictionary<string, string> { ["FrontDoor__MaxRequestBodyBytes"] = "1048576" });
        using var careOffice = frontDoor.ClientFor(MeshFixture.CareOffice);
        var before = await mesh.StoredRows();

        var response = await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(("UPPLAN_202506_0300000100_43_0300000005_11_20250623180000.CSV", new byte[2 * 1024 * 1024])));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
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
            for (var i = 0; i < 6; i++)
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
