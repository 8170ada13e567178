using System.Globalization;
using System.Net;

namespace CarePlanMesh.Cli;

/// <summary>
/// A relay that cannot take a request just now says so with 503 (a service behind it is not answering, the pipeline is
/// full) or 429 (the office's rate limit), both with Retry-After. cpm waits that long (at most <see cref="MaxWait"/>) and
/// sends again, up to <c>retries</c> times, but only where sending again cannot do anything twice: a read (GET), the
/// sign-in, or a request with an Idempotency-Key (submit). Anything else is answered as the relay answered it.
/// </summary>
sealed class RelayRetry(int retries, Output output) : DelegatingHandler
{
    /// <summary>The header that makes a POST safe to send again: the relay answers every try with the first one's result.</summary>
    public const string IdempotencyKey = "Idempotency-Key";

    /// <summary>A longer Retry-After is cut to this: a person or a script waits at most this long between tries.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    /// <summary>How long one try may take to get the relay's answer.</summary>
    public static readonly TimeSpan TryTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The wait when the answer gives no Retry-After (a proxy's 503).</summary>
    static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            using (var perTry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                perTry.CancelAfter(TryTimeout);
                response = await base.SendAsync(request, perTry.Token);
            }
            if (attempt > retries || response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests) || !Repeatable(request))
                return response;
            var wait = Wait(response);
            output.Note($"the relay answered {(int)response.StatusCode} {await Reason(response, cancellationToken)}; trying again in {wait.TotalSeconds:0} s ({attempt} of {retries})");
            response.Dispose();
            await Task.Delay(wait, cancellationToken);
        }
    }

    static bool Repeatable(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get
        || request.Headers.Contains(IdempotencyKey)
        || request.RequestUri?.AbsolutePath == "/v1/auth/token";

    static TimeSpan Wait(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : DefaultWait);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;
    }

    /// <summary>The problem's reason (the end of its type, e.g. routing-unavailable), or the status's phrase.</summary>
    static async Task<string> Reason(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (problem.RootElement.TryGetProperty("type", out var type) && type.GetString() is { } uri)
                return uri[(uri.LastIndexOf(':') + 1)..];
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return response.ReasonPhrase ?? response.StatusCode.ToString();
    }

    /// <summary>The whole call's ceiling (HttpClient.Timeout, which also covers reading the body): every try and every wait.</summary>
    public static TimeSpan Ceiling(int retries) => TryTimeout * (retries + 1) + MaxWait * retries;

    /// <summary>--retries N (CPM_RETRIES): how often a 503 or 429 is tried again; 0 answers the first refusal.</summary>
    public static int Parse(string? value) =>
        value is null ? 3
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var retries) && retries <= 20 ? retries
        : throw CliException.Usage($"--retries takes a whole number from 0 to 20 (got {value}).", $"--retries には 0〜20 の整数を指定してください（{value}）。");
}
