using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CarePlanMesh.LoadHarness;

/// <summary>
/// One office's connection to the relay: a keep-alive HttpClient with the office's client certificate that trusts only
/// the demo CA, and a staff token from the office's user.json, renewed at half its lifetime.
/// </summary>
public sealed class OfficeClient : IDisposable
{
    readonly HttpClient _http;
    readonly string _userJson;
    readonly SemaphoreSlim _signIn = new(1, 1);
    string _token = "";
    DateTimeOffset _renewAt;

    public string Office { get; }

    OfficeClient(string office, HttpClient http, string userJson)
    {
        Office = office;
        _http = http;
        _userJson = userJson;
    }

    public static async Task<OfficeClient> SignIn(Uri url, string demo, string office, X509Certificate2 ca, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(demo, "offices", office);
        var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(folder, "cert.pem"), Path.Combine(folder, "key.pem"));
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, server, _, errors) =>
                    server is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && IssuedBy(ca, server),
            },
        };
        var client = new OfficeClient(office, new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) },
            await File.ReadAllTextAsync(Path.Combine(folder, "user.json"), cancellationToken));
        await client.Renew(cancellationToken);
        return client;
    }

    static bool IssuedBy(X509Certificate2 ca, X509Certificate server)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(server.GetRawCertData());
        return chain.Build(leaf);
    }

    async Task Renew(CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync("/v1/auth/token", new StringContent(_userJson, MediaTypeHeaderValue.Parse("application/json")), cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Office {Office} could not sign in: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        _token = body.GetProperty("accessToken").GetString()!;
        _renewAt = DateTimeOffset.UtcNow.AddSeconds(body.GetProperty("expiresIn").GetInt32() / 2.0);
    }

    public async Task<HttpResponseMessage> Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (DateTimeOffset.UtcNow >= _renewAt)
        {
            await _signIn.WaitAsync(cancellationToken);
            try
            {
                if (DateTimeOffset.UtcNow >= _renewAt)
                    await Renew(cancellationToken);
            }
            finally
            {
                _signIn.Release();
            }
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return await _http.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// GET as the office; a 429 of the per-office rate limit and a 503 of a mesh that has a process down (a kill during
    /// the run, benchmarks/kill-under-load) are waited out (Retry-After, else 1 s) and asked again for up to two minutes, so
    /// reading hundreds of timelines after a run fails neither on the limit the run itself used up nor on a restart.
    /// </summary>
    public async Task<JsonElement> Get(string path, CancellationToken cancellationToken)
    {
        var giveUp = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            TimeSpan wait;
            try
            {
                using var response = await Send(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);
                if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || DateTimeOffset.UtcNow >= giveUp)
                {
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                }
                wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            }
            catch (HttpRequestException) when (DateTimeOffset.UtcNow < giveUp && !cancellationToken.IsCancellationRequested)
            {
                wait = TimeSpan.FromSeconds(1);
            }
            await Task.Delay(wait, cancellationToken);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _signIn.Dispose();
    }
}
