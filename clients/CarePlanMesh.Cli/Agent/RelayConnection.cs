using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CarePlanMesh.Cli.Agent;

/// <summary>The agent's connection to the relay: the office's client certificate, the relay's CA, and a staff sign-in renewed when refused.</summary>
public sealed class RelayConnection : IDisposable
{
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    readonly HttpClient _http;
    readonly string _userFile;
    readonly SemaphoreSlim _signIn = new(1, 1);
    string? _token;

    public RelayConnection(Uri url, X509Certificate2 certificate, X509Certificate2 ca, string userFile)
    {
        var handler = RelayHandler.Create(certificate, ca);
        // The event stream stays open; every other request has its own deadline (RequestTimeout).
        _http = new HttpClient(handler) { BaseAddress = url, Timeout = Timeout.InfiniteTimeSpan };
        _userFile = userFile;
    }

    /// <summary>Whether the last sign-in succeeded.</summary>
    public bool SignedIn => _token is not null;

    /// <summary>Sends a request built afresh for each try; signs in first, and once more when the token is refused (401).</summary>
    public async Task<HttpResponseMessage> Send(Func<HttpRequestMessage> build, CancellationToken cancellationToken, bool streaming = false)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (!streaming)
            deadline.CancelAfter(RequestTimeout);
        if (_token is null)
            await SignIn(null, deadline.Token);
        var used = _token;
        var response = await SendWithToken(build, streaming, deadline.Token);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return response;
        response.Dispose();
        await SignIn(used, deadline.Token);
        return await SendWithToken(build, streaming, deadline.Token);
    }

    async Task<HttpResponseMessage> SendWithToken(Func<HttpRequestMessage> build, bool streaming, CancellationToken cancellationToken)
    {
        var request = build();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        var response = await _http.SendAsync(request, streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response;
    }

    async Task SignIn(string? refused, CancellationToken cancellationToken)
    {
        await _signIn.WaitAsync(cancellationToken);
        try
        {
            // Another request signed in meanwhile.
            if (_token is not null && _token != refused)
                return;
            _token = null;
            using var response = await _http.PostAsync("/v1/auth/token",
                new StringContent(await File.ReadAllTextAsync(_userFile, cancellationToken), System.Text.Encoding.UTF8, "application/json"), cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new RelayRefusedException((int)response.StatusCode, "sign-in");
            using var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            _token = token.RootElement.GetProperty("accessToken").GetString();
        }
        finally
        {
            _signIn.Release();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _signIn.Dispose();
    }
}

/// <summary>The relay answered with an error the agent cannot get past by itself (e.g. the sign-in was refused).</summary>
public sealed class RelayRefusedException(int status, string step) : Exception($"The relay answered {status} to the {step}.")
{
    public int Status { get; } = status;
}
