using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// One error policy at the edge: a service that does not answer is a fast 503 with Retry-After and a bilingual problem,
/// an unreadable body is a 400, no answer carries an exception's type, message or stack, and the call is still audited.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class EdgeFailureTests(MeshFixture mesh)
{
    /// <summary>The bus request timeout (Bus:RequestTimeout, 10 s) plus room for a loaded machine.</summary>
    static readonly TimeSpan Fast = TimeSpan.FromSeconds(15);
    /// <summary>The request deadline (Http:RequestTimeout, 20 s) plus room.</summary>
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(25);

    [Fact]
    public async Task With_crypto_stopped_sign_in_and_receipts_answer_503_quickly_and_are_audited()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250619090000"), "AwaitingPickup");
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (acknowledged, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250619093000"), "AwaitingPickup");
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{acknowledged}")).StatusCode);
        await provider.PostAsync($"/v1/mailbox/{acknowledged}/ack", null);
        await mesh.WaitForState(careOffice, acknowledged, "Acknowledged");
        using var notSignedIn = mesh.ClientFor(MeshFixture.Provider, signIn: false);

        await mesh.Stop("crypto");
        try
        {
            // All three at once: each waits out the bus request timeout on its own.
            var (userId, password) = mesh.Credentials(MeshFixture.Provider);
            await Task.WhenAll(
                // Sign-in asks crypto whether the certificate is registered and not revoked.
                AssertUnavailable(() => notSignedIn.PostAsJsonAsync("/v1/auth/token", new { userId, password })),
                // A receipt not issued yet is signed by crypto, the only holder of the relay key.
                AssertUnavailable(() => careOffice.GetAsync($"/v1/submissions/{id}/receipts/received")),
                // So is the recipient's receipt of its acknowledgement.
                AssertUnavailable(() => provider.GetAsync($"/v1/mailbox/{acknowledged}/receipt")));
        }
        finally
        {
            await mesh.Start("crypto");
        }

        await mesh.Eventually(async () => await mesh.Count(
            "intake.audit_log WHERE action = 'sign-in' AND status = 503 AND reason = 'dependency-unavailable'") >= 1);
        await mesh.Eventually(async () => await mesh.Count(
            $"intake.audit_log WHERE action = 'receipt' AND subject = '{id}' AND status = 503 AND reason = 'dependency-unavailable'") == 1);
        await mesh.Eventually(async () => await mesh.Count(
            $"intake.audit_log WHERE action = 'receipt' AND subject = '{acknowledged}' AND status = 503 AND reason = 'dependency-unavailable'") == 1);
        // Back up, the same calls work.
        Assert.Equal(HttpStatusCode.OK, (await careOffice.GetAsync($"/v1/submissions/{id}/receipts/received")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{acknowledged}/receipt")).StatusCode);
    }

    [Fact]
    public async Task With_routing_stopped_partnerships_and_the_directory_answer_503_quickly()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        Assert.Equal(HttpStatusCode.OK, (await careOffice.GetAsync("/v1/partnerships")).StatusCode);

        // Both replicas: either would answer.
        await mesh.Stop("routing");
        await mesh.Stop("routing-2");
        try
        {
            var problems = await Task.WhenAll(
                AssertUnavailable(() => careOffice.GetAsync("/v1/partnerships")),
                AssertUnavailable(() => careOffice.GetAsync("/v1/directory?q=訪問")));
            Assert.All(problems, problem => Assert.Equal("urn:careplanmesh:problem:routing-unavailable", problem.GetProperty("type").GetString()));
        }
        finally
        {
            await mesh.Start("routing");
            await mesh.Start("routing-2");
        }

        Assert.Equal(HttpStatusCode.OK, (await careOffice.GetAsync("/v1/partnerships")).StatusCode);
    }

    [Fact]
    public async Task With_notification_stopped_webhooks_answer_503_quickly()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        Assert.Equal(HttpStatusCode.OK, (await careOffice.GetAsync("/v1/webhooks")).StatusCode);

        await mesh.Stop("notification");
        try
        {
            Assert.Equal("urn:careplanmesh:problem:notification-unavailable", (await AssertUnavailable(() => careOffice.GetAsync("/v1/webhooks"))).GetProperty("type").GetString());
        }
        finally
        {
            await mesh.Start("notification");
        }

        Assert.Equal(HttpStatusCode.OK, (await careOffice.GetAsync("/v1/webhooks")).StatusCode);
    }

    [Fact]
    public async Task With_the_saga_endpoint_not_answering_download_and_withdraw_answer_503_and_change_nothing()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250619100000"), "AwaitingPickup");
        // The provider signs in first (a sign-in asks crypto over the bus), so that the clock below times only the download.
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync("/v1/mailbox")).StatusCode);

        // The broker refuses every message for the saga's queue: intake runs, its saga never hears the request, and
        // MassTransit keeps retrying the refused send, so only the request's deadline (Http:RequestTimeout) ends it.
        await using (await mesh.Refuse(Contracts.Queues.Submissions))
        {
            // Both at once: each waits out the deadline on its own.
            await Task.WhenAll(
                AssertUnavailable(() => provider.GetAsync($"/v1/mailbox/{id}"), Deadline),
                AssertUnavailable(() => careOffice.PostAsync($"/v1/submissions/{id}/withdraw", null), Deadline));
        }

        Assert.Equal("AwaitingPickup", (await mesh.Status(careOffice, id)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_truncated_multipart_upload_answers_400_without_exception_text_and_stores_nothing()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var before = await mesh.StoredRows();
        var (name, content) = SampleFiles.PlanSendUnit("20250619110000")[0];
        var body = Encoding.ASCII.GetBytes($"--cut\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n")
            .Concat(content.Take(content.Length / 2)).ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=cut");

        using var response = await careOffice.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await AssertProblem(response);
        Assert.Equal("urn:careplanmesh:problem:malformed-request", problem.GetProperty("type").GetString());
        Assert.Equal(before, await mesh.StoredRows());
    }

    [Fact]
    public async Task Broken_json_and_unreadable_query_values_answer_the_bilingual_malformed_request_problem()
    {
        using var notSignedIn = mesh.ClientFor(MeshFixture.Provider, signIn: false);
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var operations = new HttpClient { BaseAddress = mesh.Management["intake"] };

        using var brokenJson = new StringContent("{\"userId\": \"staff\", \"password\": ", Encoding.UTF8, "application/json");
        await AssertMalformed(await notSignedIn.PostAsync("/v1/auth/token", brokenJson));
        // A valid send unit under a query value that is no boolean: refused before anything is stored.
        var before = await mesh.StoredRows();
        await AssertMalformed(await careOffice.PostAsync("/v1/submissions?resend=perhaps", SampleFiles.Form(SampleFiles.PlanSendUnit("20250619090000"))));
        Assert.Equal(before, await mesh.StoredRows());
        // The management address follows the same policy.
        await AssertMalformed(await operations.PostAsync("/retention/purge?dryRun=perhaps", null));
    }

    static async Task AssertMalformed(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await AssertProblem(response);
            Assert.Equal("urn:careplanmesh:problem:malformed-request", problem.GetProperty("type").GetString());
            Assert.Equal(400, problem.GetProperty("status").GetInt32());
            // Neither the parser's words nor the value sent come back. (Values are words that cannot occur in the body's
            // hexadecimal trace id: "abc" once matched one.)
            var text = problem.GetRawText();
            foreach (var leak in new[] { "perhaps", "JSON value", "LineNumber", "Failed to" })
                Assert.DoesNotContain(leak, text);
        }
    }

    async Task<JsonElement> AssertUnavailable(Func<Task<HttpResponseMessage>> call, TimeSpan? within = null)
    {
        var limit = within ?? Fast;
        var clock = Stopwatch.StartNew();
        using var response = await call();
        clock.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(clock.Elapsed < limit, $"503 came after {clock.Elapsed}, not within {limit}");
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await AssertProblem(response);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>A problem document in English and Japanese that names no exception.</summary>
    static async Task<JsonElement> AssertProblem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var leak in new[] { "Exception", "MassTransit", "Npgsql", "   at ", "System." })
            Assert.DoesNotContain(leak, text);
        var problem = JsonDocument.Parse(text).RootElement;
        foreach (var field in new[] { "title", "detail", "titleJa", "detailJa" })
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty(field).GetString()), field);
        return problem;
    }
}
