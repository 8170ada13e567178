using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using CarePlanMesh.Security;
using CarePlanMesh.Testing;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// cpm against a relay that cannot take a request just now (503 or 429 with Retry-After): it waits and tries again where that
/// cannot do anything twice, and otherwise answers as the relay did. The relay here is a real HTTP server on loopback that
/// answers from a script, so that each answer and each arrival can be checked; the real relay's side of the key (the same key
/// answers with the same submission) is in the idempotency tests.
/// </summary>
public sealed class CommandLineRetryTests : IAsyncLifetime
{
    const string Office = "0300000100";
    readonly string _work = Directory.CreateTempSubdirectory("careplanmesh-cpm-retry-").FullName;
    readonly HttpListener _listener = new();
    readonly ConcurrentQueue<Arrival> _arrivals = new();
    readonly ConcurrentDictionary<string, Queue<int>> _script = new();
    Task _serving = Task.CompletedTask;
    string _url = "";

    sealed record Arrival(string Method, string Path, string? IdempotencyKey, DateTime At);

    public Task InitializeAsync()
    {
        DevelopmentPki.Create(_work, DevelopmentPki.DefaultOffices.Where(o => o.OfficeNumber == Office), passwordIterations: 1_000);
        var port = Infrastructure.FreePort();
        _url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_url);
        _listener.Start();
        _serving = Task.Run(Serve);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ContinueWith(_ => { });
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task A_submit_answered_503_is_sent_again_after_Retry_After_with_the_same_Idempotency_Key()
    {
        Answer("POST /v1/submissions", 503, 503, 202);

        var run = (await Cpm(["submit", .. await Files()])).AssertExit(0);

        Assert.Equal("accepted-1", JsonDocument.Parse(run.Output).RootElement.GetProperty("id").GetString());
        var tries = Arrivals("POST /v1/submissions");
        Assert.Equal(3, tries.Count);
        Assert.Single(tries.Select(t => t.IdempotencyKey).Distinct());
        Assert.False(string.IsNullOrEmpty(tries[0].IdempotencyKey));
        // Each try came after the Retry-After (1 s) of the answer before it.
        Assert.All(tries.Zip(tries.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromMilliseconds(900),
            $"tried again {(pair.Second.At - pair.First.At).TotalMilliseconds:0} ms after a Retry-After of 1 s"));
        Assert.Contains("cpm submit: the relay answered 503 routing-unavailable; trying again in 1 s (1 of 3)", run.Error);
        Assert.Contains("(2 of 3)", run.Error);
    }

    [Fact]
    public async Task With_retries_0_or_when_the_tries_run_out_the_last_refusal_is_the_answer()
    {
        Answer("POST /v1/submissions", 503, 503, 503);

        var none = (await Cpm(["submit", "--retries", "0", .. await Files()])).AssertExit(1);
        Assert.Single(Arrivals("POST /v1/submissions"));
        Assert.Contains("503", none.Error);
        Assert.Contains("routing-unavailable", none.Error);
        Assert.DoesNotContain("trying again", none.Error);

        // CPM_RETRIES sets the default; two tries more, then the third 503 is printed and the exit code is 1.
        var exhausted = (await Cpm(new() { ["CPM_RETRIES"] = "1" }, ["submit", .. await Files()])).AssertExit(1);
        Assert.Equal(3, Arrivals("POST /v1/submissions").Count);
        Assert.Contains("(1 of 1)", exhausted.Error);
    }

    [Fact]
    public async Task A_read_answered_429_is_tried_again_and_json_output_stays_one_document_with_nothing_on_standard_error()
    {
        Answer("GET /v1/submissions/0a8f3c2e-5b7d-4e61-9a0c-2f4d6b8e1c3a", 429, 200);

        var run = (await Cpm("status", "0a8f3c2e-5b7d-4e61-9a0c-2f4d6b8e1c3a", "--json")).AssertExit(0);

        Assert.Equal(2, Arrivals("GET /v1/submissions/0a8f3c2e-5b7d-4e61-9a0c-2f4d6b8e1c3a").Count);
        Assert.Equal("AwaitingPickup", JsonDocument.Parse(run.Output).RootElement.GetProperty("state").GetString());
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task A_post_without_an_Idempotency_Key_is_not_sent_twice()
    {
        // An acknowledgement answered 503 may still reach the relay later: cpm leaves sending it again to the person.
        Answer("POST /v1/mailbox/0a8f3c2e-5b7d-4e61-9a0c-2f4d6b8e1c3a/ack", 503, 200);

        var run = (await Cpm("ack", "0a8f3c2e-5b7d-4e61-9a0c-2f4d6b8e1c3a")).AssertExit(1);

        Assert.Single(Arrivals("POST /v1/mailbox/0a8f3c2e-5b7d-4e61-9a0c-2f4d6b8e1c3a/ack"));
        Assert.Contains("503", run.Error);
    }

    [Fact]
    public async Task A_retries_value_out_of_bounds_is_a_usage_error()
    {
        var run = (await Cpm("status", "0a8f3c2e-5b7d-4e61-9a0c-2f4d6b8e1c3a", "--retries", "many")).AssertExit(2);

        Assert.Contains("--retries takes a whole number from 0 to 20", run.Error);
        Assert.Empty(Arrivals("GET /v1/submissions/0a8f3c2e-5b7d-4e61-9a0c-2f4d6b8e1c3a"));
    }

    void Answer(string request, params int[] statuses) => _script[request] = new Queue<int>(statuses);

    List<Arrival> Arrivals(string request) => [.. _arrivals.Where(a => $"{a.Method} {a.Path}" == request)];

    async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            var request = context.Request;
            var path = request.Url!.AbsolutePath;
            _arrivals.Enqueue(new Arrival(request.HttpMethod, path, request.Headers["Idempotency-Key"], DateTime.UtcNow));
            await request.InputStream.CopyToAsync(Stream.Null);
            var status = path == "/v1/auth/token" ? 200
                : _script.TryGetValue($"{request.HttpMethod} {path}", out var answers) && answers.TryDequeue(out var next) ? next
                : 404;
            var body = (status, path) switch
            {
                (200, "/v1/auth/token") => """{"accessToken":"token","expiresIn":900}""",
                (202, _) => """{"id":"accepted-1","state":"Validating"}""",
                (200, _) => """{"id":"0a8f3c2e-5b7d-4e61-9a0c-2f4d6b8e1c3a","state":"AwaitingPickup"}""",
                (503, _) => """{"type":"urn:careplanmesh:problem:routing-unavailable","title":"Routing is not answering","status":503,"titleJa":"配信サービスが応答しません"}""",
                (429, _) => """{"type":"urn:careplanmesh:problem:rate-limited","title":"Too many requests","status":429,"titleJa":"要求が多すぎます"}""",
                _ => """{"type":"urn:careplanmesh:problem:not-found","title":"Not found","status":404}""",
            };
            context.Response.StatusCode = status;
            context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
            if (status is 503 or 429)
                context.Response.Headers["Retry-After"] = "1";
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    async Task<string[]> Files()
    {
        var paths = new List<string>();
        foreach (var (name, content) in SampleFiles.PlanSendUnit("20250601120000"))
        {
            var path = Path.Combine(_work, name);
            await File.WriteAllBytesAsync(path, content);
            paths.Add(path);
        }
        return [.. paths];
    }

    Task<CpmRun> Cpm(params string[] args) => Cpm([], args);

    Task<CpmRun> Cpm(Dictionary<string, string> environment, string[] args)
    {
        environment["CPM_URL"] = _url;
        environment["CPM_CA"] = Path.Combine(_work, "ca.pem");
        environment["CPM_OFFICE"] = Path.Combine(_work, "offices", Office);
        return CpmProcess.Run(_work, environment, args);
    }
}
