using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CarePlanMesh.Intake.Edge;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Idempotency;

/// <summary>Marks a POST that creates something: it honours the Idempotency-Key request header.</summary>
public sealed record Idempotent;

/// <summary>
/// Idempotency-Key on creating POSTs (issue #11 §3): the same key with the same request within the window answers the
/// first request's status and body without running it again; the same key with another request is a 422; while the first
/// runs, a second waits for its answer, then gets a 409. Keys are per office, stored in intake.idempotency_keys, so every
/// replica sees them. A failure worth retrying (5xx, 429) frees the key. The request's identity is its method, path, query
/// and content — for multipart forms the parts (names, file names, SHA-256 of each), not the boundary, which clients draw anew.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, IOptions<IdempotencyOptions> options)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers[Header].ToString();
        if (key.Length == 0 || context.GetEndpoint()?.Metadata.GetMetadata<Idempotent>() is null
            || context.User.FindFirstValue(OfficeCertificateAuthentication.OfficeClaim) is not { } office)
        {
            await next(context);
            return;
        }
        if (key.Length > 255 || key.Any(c => c is < '!' or > '~'))
        {
            await Problems.Of(400, "idempotency-key-invalid", "Idempotency-Key not usable", "Idempotency-Key が使えません",
                "An Idempotency-Key is 1 to 255 visible ASCII characters, e.g. a UUID.", "Idempotency-Key は1～255文字の表示可能なASCII文字です（UUIDなど）。")
                .ExecuteAsync(context);
            return;
        }

        var settings = options.Value;
        var hash = await RequestHash(context.Request, context.RequestAborted);
        var claim = await store.Claim(office, key, hash, settings.Window, settings.Lease, context.RequestAborted);
        var waitUntil = DateTime.UtcNow + settings.InProgressWait;
        while (claim is KeyClaim.Running && DateTime.UtcNow < waitUntil)
        {
            await Task.Delay(200, context.RequestAborted);
            claim = await store.Find(office, key, hash, context.RequestAborted) ?? await store.Claim(office, key, hash, settings.Window, settings.Lease, context.RequestAborted);
        }
        switch (claim)
        {
            case KeyClaim.Answered(var answer):
                await Replay(context, answer);
                return;
            case KeyClaim.OtherRequest:
                await Problems.Of(422, "idempotency-key-reused", "Idempotency-Key used for another request", "Idempotency-Key は別の要求に使われています",
                    "This key was used within the last 24 hours for a request with another body or path. Use a new key for a new request.",
                    "このキーは24時間以内に本文または宛先の異なる要求に使われました。新しい要求には新しいキーを使ってください。").ExecuteAsync(context);
                return;
            case KeyClaim.Running:
                context.Response.Headers.RetryAfter = "1";
                await Problems.Of(409, "idempotency-in-progress", "The first request with this key is still running", "同じキーの最初の要求を処理中です",
                    "Send the same request again shortly to get its answer.", "しばらくしてから同じ要求を再送すると、その結果が返ります。").ExecuteAsync(context);
                return;
        }

        await RunAndRecord(context, office, key);
    }

    async Task RunAndRecord(HttpContext context, string office, string key)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = original;
            await store.Release(office, key, CancellationToken.None);
            throw;
        }
        context.Response.Body = original;
        var status = context.Response.StatusCode;
        if (status >= 500 || status == StatusCodes.Status429TooManyRequests)
            await store.Release(office, key, CancellationToken.None);
        else
            await store.Record(office, key, new StoredAnswer(status, context.Response.ContentType, context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                buffer.ToArray()), CancellationToken.None);
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    static async Task Replay(HttpContext context, StoredAnswer answer)
    {
        context.Response.StatusCode = answer.Status;
        if (answer.ContentType is not null)
            context.Response.ContentType = answer.ContentType;
        if (answer.Location is not null)
            context.Response.Headers.Location = answer.Location;
        context.Response.Headers[ReplayedHeader] = "true";
        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }

    static async Task<string> RequestHash(HttpRequest request, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add(request.Method);
        Add(request.Path + request.QueryString);
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var field in form.OrderBy(f => f.Key, StringComparer.Ordinal))
                Add($"{field.Key}={field.Value}");
            foreach (var file in form.Files)
            {
                await using var content = file.OpenReadStream();
                Add($"{file.Name}:{file.FileName}:{Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken))}");
            }
        }
        else
        {
            request.EnableBuffering();
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, cancellationToken);
            request.Body.Position = 0;
            Add(Convert.ToHexStringLower(SHA256.HashData(body.ToArray())));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
