using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// An office's webhook endpoint: Kestrel in the test process on a loopback port, recording every request with its headers
/// and body. <see cref="Answer"/> decides each response (status, or a delay to play a slow endpoint).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Id, string Timestamp, string Signature, string Body, HeaderDictionary Headers, int Status);

    readonly WebApplication _app;
    public ConcurrentQueue<Received> Requests { get; } = new();
    public Func<int, Task<int>> Answer { get; set; } = _ => Task.FromResult(204);
    public string Url { get; private set; } = "";

    WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var status = await Answer(Requests.Count);
            var headers = new HeaderDictionary();
            foreach (var (key, value) in context.Request.Headers)
                headers[key] = value;
            Requests.Enqueue(new Received(headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body, headers, status));
            return Results.StatusCode(status);
        });
    }

    public static async Task<WebhookReceiver> Start()
    {
        var receiver = new WebhookReceiver();
        await receiver._app.StartAsync();
        receiver.Url = receiver._app.Urls.Single() + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
