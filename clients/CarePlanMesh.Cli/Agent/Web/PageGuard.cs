using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace CarePlanMesh.Cli.Agent.Web;

/// <summary>
/// Who may use the agent's page: only a browser on this PC that was given the launch key, and only from the page itself.
/// Other local users do not know the key (it is printed to the agent's terminal and written to a file only its user reads);
/// other web sites cannot send the session cookie (SameSite=Strict), cannot read the CSRF token, and cannot reach the page
/// under another host name (DNS rebinding: the Host header must be 127.0.0.1 or localhost with the agent's port).
/// </summary>
public sealed class PageGuard
{
    public const string CsrfHeader = "X-CSRF-Token";
    const string KeyParameter = "key";

    readonly ConcurrentDictionary<string, string> _sessions = new(StringComparer.Ordinal);
    readonly string[] _hosts;

    public PageGuard(int port)
    {
        Port = port;
        Key = Token();
        _hosts = [$"127.0.0.1:{port}", $"localhost:{port}"];
        CookieName = $"cpm_session_{port}";
    }

    public int Port { get; }

    /// <summary>The secret of this launch; the address to open carries it once, then a cookie does.</summary>
    public string Key { get; }

    /// <summary>One cookie per port, so that two agents on one PC do not overwrite each other's session.</summary>
    public string CookieName { get; }

    public string PageAddress => $"http://127.0.0.1:{Port}/?{KeyParameter}={Key}";

    /// <summary>Writes the address with its key to a file only the current user can read, for a user who did not see the terminal.</summary>
    public void WriteAddressFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (File.Exists(path))
            File.Delete(path);
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(PageAddress + Environment.NewLine));
    }

    /// <summary>The CSRF token of the request's session, or null when the request has no valid session.</summary>
    public string? Session(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out var session) && session is not null && _sessions.TryGetValue(session, out var csrf) ? csrf : null;

    /// <summary>Checks every request before anything else runs; writes the refusal and returns false when it is refused.</summary>
    public async Task<bool> Admit(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

        var host = request.Headers.Host.ToString();
        if (!_hosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            await PageProblems.Write(context, StatusCodes.Status421MisdirectedRequest, "host-refused",
                "This address is not the agent's page", "このアドレスはエージェントの画面ではありません",
                $"Open the page as http://127.0.0.1:{Port}/ (other host names are refused).", $"http://127.0.0.1:{Port}/ で開いてください（ほかのホスト名は受け付けません）。");
            return false;
        }
        var origin = request.Headers.Origin.ToString();
        var unsafeMethod = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
        if ((origin.Length > 0 || unsafeMethod) && !string.Equals(origin, $"http://{host}", StringComparison.OrdinalIgnoreCase)
            || string.Equals(request.Headers["Sec-Fetch-Site"], "cross-site", StringComparison.Ordinal))
        {
            await PageProblems.Write(context, StatusCodes.Status403Forbidden, "origin-refused",
                "Requests from other web sites are refused", "ほかのサイトからの操作は受け付けません",
                "Only the agent's own page may do this.", "この操作はエージェントの画面からだけ行えます。");
            return false;
        }

        if (HttpMethods.IsGet(request.Method) && request.Path == "/" && request.Query.TryGetValue(KeyParameter, out var key))
        {
            if (!Same(key.ToString(), Key))
            {
                await Locked(context);
                return false;
            }
            var session = Token();
            _sessions[session] = Token();
            response.Cookies.Append(CookieName, session, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true });
            // The key leaves the address bar and the history at once.
            response.StatusCode = StatusCodes.Status303SeeOther;
            response.Headers.Location = "/";
            return false;
        }

        if (Session(context) is not { } csrf)
        {
            if (request.Path == "/")
                await Locked(context);
            else
                await PageProblems.Write(context, StatusCodes.Status401Unauthorized, "no-session",
                    "Open the page with the address the agent printed", "エージェントが表示したアドレスで画面を開いてください",
                    "The page needs the key of this launch of the agent (see page-url.txt in its data folder).",
                    "この起動のキーが必要です（データフォルダの page-url.txt にあります）。");
            return false;
        }
        if (unsafeMethod && !Same(request.Headers[CsrfHeader].ToString(), csrf))
        {
            await PageProblems.Write(context, StatusCodes.Status403Forbidden, "csrf-token",
                "The request lacks the page's CSRF token", "画面の確認用トークンがありません",
                "Reload the page and try again.", "画面を再読み込みして、もう一度操作してください。");
            return false;
        }
        return true;
    }

    static async Task Locked(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync("""
            <!doctype html><html lang="ja"><head><meta charset="utf-8"><title>CarePlanMesh エージェント</title></head>
            <body>
            <h1>キーが必要です / A key is needed</h1>
            <p>エージェントを起動したときに表示されたアドレス（<code>?key=</code> 付き）で開いてください。
            アドレスはエージェントのデータフォルダの <code>page-url.txt</code> にもあります。</p>
            <p lang="en">Open the address the agent printed when it started (with <code>?key=</code>). It is also in
            <code>page-url.txt</code> in the agent's data folder.</p></body></html>
            """);
    }

    static bool Same(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    static string Token() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
