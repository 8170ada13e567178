using System.CommandLine;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CarePlanMesh.Security;

namespace CarePlanMesh.Cli;

/// <summary>
/// The options that say which relay and office a command speaks for: --url (CPM_URL, default https://127.0.0.1:7443),
/// --office DIR with cert.pem, key.pem and user.json (CPM_OFFICE), --ca PEM (CPM_CA), --user FILE (CPM_USER).
/// </summary>
public sealed class Connection
{
    public Option<string> Url { get; } = new("--url") { Description = "the relay's address (CPM_URL, default https://127.0.0.1:7443) / 中継のアドレス" };
    public Option<string> Office { get; } = new("--office") { Description = "the office folder with cert.pem, key.pem and user.json (CPM_OFFICE) / 事業所フォルダ" };
    public Option<string> Ca { get; } = new("--ca") { Description = "the relay's CA certificate, PEM (CPM_CA) / 中継の認証局の証明書" };
    public Option<string> User { get; } = new("--user") { Description = "the staff sign-in file {\"userId\", \"password\"} (CPM_USER, default user.json in the office folder) / サインイン情報" };
    public Option<string> Retries { get; } = new("--retries") { Description = "how often a 503 or 429 is tried again after its Retry-After (CPM_RETRIES, default 3, 0 to 20) / 503・429 の再試行回数" };

    /// <summary>Adds the options; <paramref name="relay"/> false: the office and CA only (offline commands).</summary>
    public static Connection AddTo(Command command, bool relay = true)
    {
        var connection = new Connection();
        command.Options.Add(connection.Office);
        command.Options.Add(connection.Ca);
        if (relay)
        {
            command.Options.Add(connection.Url);
            command.Options.Add(connection.User);
            command.Options.Add(connection.Retries);
        }
        return connection;
    }

    static string? Value(ParseResult parsed, Option<string> option, string environment) =>
        parsed.GetValue(option) is { Length: > 0 } value ? value
        : Environment.GetEnvironmentVariable(environment) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : null;

    public string OfficeFolder(ParseResult parsed) => Value(parsed, Office, "CPM_OFFICE")
        ?? throw CliException.Usage("--office is required (or set CPM_OFFICE).", "--office（事業所フォルダ）を指定してください（または CPM_OFFICE）。");

    public string CaFile(ParseResult parsed) => Value(parsed, Ca, "CPM_CA")
        ?? throw CliException.Usage("--ca is required (or set CPM_CA).", "--ca（中継の認証局の証明書）を指定してください（または CPM_CA）。");

    public (X509Certificate2 Certificate, X509Certificate2 Ca) Credentials(ParseResult parsed)
    {
        var office = OfficeFolder(parsed);
        var ca = CaFile(parsed);
        foreach (var file in new[] { Path.Combine(office, "cert.pem"), Path.Combine(office, "key.pem"), ca })
            if (!File.Exists(file))
                throw new CliException("file", $"{file} does not exist.", $"{file} がありません。");
        return (Pem.LoadCertificateWithKey(Path.Combine(office, "cert.pem"), Path.Combine(office, "key.pem")), Pem.LoadCertificate(ca));
    }

    /// <summary>An HTTP client for the relay, signed in as the office's staff member; null when sign-in was refused (already reported).</summary>
    public async Task<HttpClient?> SignedIn(ParseResult parsed, Output output)
    {
        var address = Value(parsed, Url, "CPM_URL") ?? "https://127.0.0.1:7443";
        if (!Uri.TryCreate(address, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            throw CliException.Usage($"--url is the relay's address, e.g. https://relay.example.jp (got {address}).", $"--url には中継のアドレスを指定してください（例: https://relay.example.jp）。");
        var (certificate, ca) = Credentials(parsed);
        var userFile = Value(parsed, User, "CPM_USER") ?? Path.Combine(OfficeFolder(parsed), "user.json");
        if (!File.Exists(userFile))
            throw CliException.Usage($"{userFile} does not exist: give --user FILE with {{\"userId\": …, \"password\": …}} (CPM_USER).",
                $"{userFile} がありません。--user でサインイン情報のファイルを指定してください（CPM_USER）。");
        var retries = RelayRetry.Parse(Value(parsed, Retries, "CPM_RETRIES"));
        var client = new HttpClient(new RelayRetry(retries, output) { InnerHandler = RelayHandler.Create(certificate, ca) })
            { BaseAddress = url, Timeout = RelayRetry.Ceiling(retries) };
        // Every call needs a staff member's token besides the certificate: sign in with the user file's ID and password.
        using var response = await client.PostAsync("/v1/auth/token", new StringContent(await File.ReadAllTextAsync(userFile), System.Text.Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
        {
            await output.Refused(response);
            client.Dispose();
            return null;
        }
        using var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("accessToken").GetString());
        return client;
    }
}
