using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Cli;

/// <summary>cpm: the command-line client of CarePlanMesh. Each command is one row of the table below.</summary>
public static class Commands
{
    sealed record Command(string Name, string Usage, string Summary, Func<Options, Task<int>> Run, params string[] Flags);

    static readonly Command[] Table =
    [
        new("dev-pki", "dev-pki --out DIR [--force]", "create a development CA, relay and demo office certificates", DevPki, "--force"),
        new("samples", "samples --out DIR", "write the standard's synthetic sample files in MS932, ready to submit", Samples),
        new("validate", "validate FILE|DIR... [--json] [--policy FILE.json]", "check files against the standard offline; exit 1 when any error", Validate, "--json"),
        new("submit", "submit FILE... [--resend] [connection]", "send the files of one send unit (--resend: the same files again on purpose)", Submit, "--resend"),
        new("withdraw", "withdraw ID [connection]", "withdraw a submission the recipient has not picked up", o => Send(o, HttpMethod.Post, $"/v1/submissions/{Id(o)}/withdraw", null)),
        new("status", "status ID [connection]", "show a submission's state, timeline and defects", o => Get(o, $"/v1/submissions/{Id(o)}")),
        new("mailbox", "mailbox [connection]", "list deliveries awaiting pickup", o => Get(o, "/v1/mailbox")),
        new("download", "download ID --out FILE [connection]", "save a sealed package (DER CMS)", Download),
        new("open", "open PACKAGE --out FILE.zip [--office DIR] [--ca PEM] [--relay PEM]", "decrypt and verify a sealed package offline (signed by the relay: --relay, or relay/cert.pem beside the CA)", Open),
        new("ack", "ack ID [connection]", "acknowledge a delivery", o => Send(o, HttpMethod.Post, $"/v1/mailbox/{Id(o)}/ack", null)),
        new("directory", "directory [--q TEXT] [--prefecture NN] [--type NN] [connection]", "find registered offices", SearchDirectory),
        new("partners", "partners [connection]", "list your partnerships (連携先) and what you may do with each", o => Get(o, "/v1/partnerships")),
        new("partner-request", "partner-request [OFFICE] [--email ADDRESS] [connection]", "ask an office to partner, or invite one not registered yet", PartnerRequest),
        new("partner", "partner ID approve|decline|suspend|end [connection]", "act on a partnership", Partner),
        new("licence", "licence [connection]", "your licence status and the free-pass window", o => Get(o, "/v1/licence")),
        new("admin-office", "admin-office OFFICE --name NAME --types 11,13 [--email ADDRESS] [connection]", "operator: register an office (role admin)", AdminOffice),
        new("admin-staff", "admin-staff OFFICE USERID --password PASSWORD [--admin] [connection]", "operator: register a staff member", AdminStaff, "--admin"),
        new("admin-certificate", "admin-certificate OFFICE CERT.pem [connection]", "operator: register an office certificate", AdminCertificate),
        new("admin-revoke", "admin-revoke OFFICE THUMBPRINT [connection]", "operator: revoke an office certificate at once", o => Send(o, HttpMethod.Post, $"/v1/admin/offices/{Arg(o, 0)}/certificates/{Arg(o, 1)}/revoke", null)),
        new("admin-licence", "admin-licence OFFICE [--from YYYY-MM-DD] [connection]", "operator: grant an annual licence", AdminLicence),
        new("audit-verify", "audit-verify [--management URL]", "recompute the audit trail's hash chain (intake's management address, default http://127.0.0.1:7401)", AuditVerify),
        new("probe", "probe URL [--timeout SECONDS]", "exit 0 when URL answers 200 (container health checks; default timeout 5 s)", Probe),
        new("ops", ErrorQueues.Usage, "operator: messages in a queue's _error queue (list counts, show, replay into the queue, purge); every action is audited", ErrorQueues.Run),
        new("free-pass", "free-pass [connection]", "apply for the free pass (one year from today)", o => Send(o, HttpMethod.Post, "/v1/licence/free-pass", null)),
    ];

    const string Connection = "connection: --url URL (CPM_URL, default https://127.0.0.1:7443) --office DIR with cert.pem, key.pem and user.json (CPM_OFFICE) --ca PEM (CPM_CA) [--user FILE (CPM_USER)]";

    public static async Task<int> Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "agent")
            return await Agent.AgentCommand.Run(args);
        if (args.Length > 0 && args[0] is "--help" or "-h" or "help")
        {
            Usage(Console.Out);
            return 0;
        }
        var match = args.Length == 0 ? null : Table.FirstOrDefault(c => c.Name == args[0]);
        if (match is null)
        {
            if (args.Length > 0)
                Console.Error.WriteLine($"cpm: unknown command '{args[0]}'.");
            Usage(Console.Error);
            return 2;
        }
        try
        {
            return await match.Run(Options.Parse(args.Skip(1), match.Flags.ToHashSet()));
        }
        catch (UsageException exception)
        {
            Console.Error.WriteLine($"cpm {match.Name}: {exception.Message}\nusage: cpm {match.Usage}");
            return 2;
        }
        catch (SignInException)
        {
            return 1;
        }
        catch (HttpRequestException exception)
        {
            Console.Error.WriteLine($"cpm {match.Name}: cannot reach the relay: {exception.Message}");
            return 1;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            Console.Error.WriteLine($"cpm {match.Name}: {exception.Message}");
            return 1;
        }
    }

    static void Usage(TextWriter writer)
    {
        writer.WriteLine("usage: cpm COMMAND [options]\n");
        foreach (var command in Table)
            writer.WriteLine($"  {command.Usage,-58} {command.Summary}");
        writer.WriteLine($"  {"agent --office DIR --ca PEM --url URL [--outbox DIR] [--inbox DIR]",-58} the office agent: send from the outbox, receive into the inbox (cpm agent --help)");
        writer.WriteLine($"\n{Connection}");
    }

    static Task<int> DevPki(Options options)
    {
        var directory = options.Required("--out");
        if (File.Exists(Path.Combine(directory, "ca.pem")) && !options.Has("--force"))
            throw new UsageException($"{directory} already holds a CA; pass --force to replace it.");
        DevelopmentPki.Create(directory, DevelopmentPki.DefaultOffices);
        Console.WriteLine($"Wrote the development CA, server, relay and {DevelopmentPki.DefaultOffices.Count} office certificates to {Path.GetFullPath(directory)}");
        foreach (var office in DevelopmentPki.DefaultOffices)
            Console.WriteLine($"  {office.OfficeNumber} ({string.Join(',', office.ServiceTypes)}) {office.Name}: offices/{office.OfficeNumber}/cert.pem, key.pem");
        return Task.FromResult(0);
    }

    static async Task<int> Samples(Options options)
    {
        var directory = options.Required("--out");
        Directory.CreateDirectory(directory);
        var assembly = typeof(Commands).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("samples/", StringComparison.Ordinal)).Order())
        {
            await using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
            var name = resource["samples/".Length..];
            await File.WriteAllBytesAsync(Path.Combine(directory, name), Ms932.Encoding.GetBytes(await reader.ReadToEndAsync()));
            Console.WriteLine(name);
        }
        return 0;
    }

    static async Task<int> Validate(Options options)
    {
        if (options.Positional.Count == 0)
            throw new UsageException("name the files or folders to check.");
        var paths = options.Positional.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
        var missing = paths.FirstOrDefault(p => !File.Exists(p));
        if (missing is not null)
            throw new UsageException($"{missing} does not exist.");
        var policy = options.Get("--policy") is { } policyFile
            ? JsonSerializer.Deserialize<ValidationPolicy>(await File.ReadAllTextAsync(policyFile), DefectReport.JsonOptions) ?? ValidationPolicy.Default
            : ValidationPolicy.Default;

        // A folder may hold several send units: each is checked on its own, as the relay would receive it.
        var files = new List<(string Name, byte[] Content)>();
        foreach (var path in paths)
            files.Add((Path.GetFileName(path), await File.ReadAllBytesAsync(path)));
        var reports = files
            .GroupBy(f => StandardFileName.Parse(f.Name, []) is { } n ? $"{n.SenderOffice}_{n.RecipientOffice}_{n.SendUnit}" : f.Name)
            .Select(unit => StandardValidator.Validate([.. unit], authenticatedOffice: null, policy))
            .ToList();

        if (options.Has("--json"))
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                valid = reports.All(r => r.IsValid),
                errorCount = reports.Sum(r => r.ErrorCount),
                warningCount = reports.Sum(r => r.WarningCount),
                files = reports.SelectMany(r => r.Files).Select(f => new { name = f.File, kind = f.Name?.Layout.Kind, records = f.RecordCount, valid = f.IsValid }),
                defects = reports.SelectMany(r => r.Defects),
            }, new JsonSerializerOptions(DefectReport.JsonOptions) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        else
            foreach (var report in reports)
                Print(report);
        return reports.All(r => r.IsValid) ? 0 : 1;
    }

    static void Print(ValidationReport report)
    {
        foreach (var file in report.Files)
            Console.WriteLine($"{(file.IsValid ? "OK" : "NG")}  {file.File}  ({file.Name?.Layout.Kind ?? "?"}, {file.RecordCount} records)");
        foreach (var d in report.Defects)
        {
            var where = string.Join(" ", new[] { d.Line is { } l ? $"line {l}" : null, d.Column is { } c ? $"No.{c}" : null, d.Field, d.Value is null ? null : $"value '{d.Value}'" }.OfType<string>());
            Console.WriteLine($"  {(d.Severity == Severity.Error ? "error  " : "warning")} {d.File} {where} [{d.Rule}]");
            Console.WriteLine($"          {d.MessageJa}");
            Console.WriteLine($"          {d.MessageEn}");
        }
        Console.WriteLine($"{report.ErrorCount} errors, {report.WarningCount} warnings\n");
    }

    static async Task<int> Submit(Options options)
    {
        if (options.Positional.Count == 0)
            throw new UsageException("name the files of the send unit.");
        using var form = new MultipartFormDataContent();
        foreach (var path in options.Positional)
        {
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(path));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(content, "files", Path.GetFileName(path));
        }
        return await Send(options, HttpMethod.Post, options.Has("--resend") ? "/v1/submissions?resend=true" : "/v1/submissions", form);
    }

    static async Task<int> AuditVerify(Options options)
    {
        using var client = new HttpClient { BaseAddress = new Uri(options.Get("--management", "CPM_MANAGEMENT", "http://127.0.0.1:7401")!), Timeout = TimeSpan.FromMinutes(10) };
        using var response = await client.GetAsync("/audit/verify");
        if (!response.IsSuccessStatusCode)
            return await Problem(response);
        var text = await response.Content.ReadAsStringAsync();
        Console.WriteLine(Pretty(text));
        using var result = JsonDocument.Parse(text);
        return result.RootElement.GetProperty("valid").GetBoolean() ? 0 : 1;
    }

    static async Task<int> Probe(Options options)
    {
        if (options.Positional is not [var url] || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException("name one http(s) URL.");
        if (!int.TryParse(options.Get("--timeout", fallback: "5"), out var seconds) || seconds < 1)
            throw new UsageException("--timeout is a whole number of seconds.");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(seconds) };
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == System.Net.HttpStatusCode.OK)
                return 0;
            Console.Error.WriteLine($"cpm probe: {uri} answered {(int)response.StatusCode}.");
        }
        // A health check only needs to know that nothing answered; why is in the service's log.
        catch (HttpRequestException)
        {
            Console.Error.WriteLine($"cpm probe: {uri} cannot be reached.");
        }
        catch (TaskCanceledException)
        {
            Console.Error.WriteLine($"cpm probe: {uri} did not answer within {seconds} s.");
        }
        return 1;
    }

    static string Arg(Options options, int index) =>
        options.Positional.Count > index ? options.Positional[index] : throw new UsageException("missing an argument.");

    static Task<int> AdminOffice(Options options) =>
        Send(options, HttpMethod.Post, "/v1/admin/offices", JsonContent.Create(new
        {
            officeNumber = Arg(options, 0),
            name = options.Required("--name"),
            serviceTypes = options.Required("--types").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            contactEmail = options.Get("--email"),
        }));

    static Task<int> AdminStaff(Options options) =>
        Send(options, HttpMethod.Post, $"/v1/admin/offices/{Arg(options, 0)}/staff",
            JsonContent.Create(new { userId = Arg(options, 1), password = options.Required("--password"), admin = options.Has("--admin") }));

    static async Task<int> AdminCertificate(Options options) =>
        await Send(options, HttpMethod.Post, $"/v1/admin/offices/{Arg(options, 0)}/certificates",
            JsonContent.Create(new { pem = await File.ReadAllTextAsync(Arg(options, 1)) }));

    static Task<int> AdminLicence(Options options) =>
        Send(options, HttpMethod.Post, $"/v1/admin/offices/{Arg(options, 0)}/licences",
            JsonContent.Create(new { validFrom = options.Get("--from") ?? DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd") }));

    static Task<int> SearchDirectory(Options options)
    {
        var query = string.Join("&", new[] { ("q", options.Get("--q")), ("prefecture", options.Get("--prefecture")), ("serviceType", options.Get("--type")) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
        return Get(options, query.Length == 0 ? "/v1/directory" : $"/v1/directory?{query}");
    }

    static Task<int> PartnerRequest(Options options)
    {
        var office = options.Positional.SingleOrDefault();
        var email = options.Get("--email");
        if (office is null && email is null)
            throw new UsageException("name the partner's office number, or --email to invite an office that is not registered.");
        return Send(options, HttpMethod.Post, "/v1/partnerships", JsonContent.Create(new { partnerOffice = office, inviteEmail = email }));
    }

    static Task<int> Partner(Options options)
    {
        if (options.Positional.Count != 2 || !Guid.TryParse(options.Positional[0], out var id) || options.Positional[1] is not ("approve" or "decline" or "suspend" or "end"))
            throw new UsageException("give a partnership id and one of approve, decline, suspend, end.");
        return Send(options, HttpMethod.Post, $"/v1/partnerships/{id}/{options.Positional[1]}", null);
    }

    static async Task<int> Download(Options options)
    {
        var output = options.Required("--out");
        using var client = await Client(options);
        using var response = await client.GetAsync($"/v1/mailbox/{Id(options)}");
        if (!response.IsSuccessStatusCode)
            return await Problem(response);
        await File.WriteAllBytesAsync(output, await response.Content.ReadAsByteArrayAsync());
        Console.WriteLine($"Saved the sealed package to {output}; open it with `cpm open {output} --out files.zip`.");
        return 0;
    }

    static async Task<int> Open(Options options)
    {
        if (options.Positional.Count != 1)
            throw new UsageException("name the sealed package.");
        var (certificate, ca) = Credentials(options);
        try
        {
            var relayPath = options.Get("--relay", "CPM_RELAY") ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Required("--ca", "CPM_CA")))!, "relay", "cert.pem");
            var relay = File.Exists(relayPath) ? Pem.LoadCertificate(relayPath) : throw new UsageException($"the relay's certificate is needed to check who signed: --relay PEM ({relayPath} does not exist).");
            var opened = PackageOpener.Open(await File.ReadAllBytesAsync(options.Positional[0]), certificate, ca, relay);
            var output = options.Required("--out");
            await File.WriteAllBytesAsync(output, opened.Content);
            Console.WriteLine($"Signature of {opened.Signer.GetNameInfo(X509NameType.SimpleName, false)} verified (signed {opened.SigningTime:u}); wrote {output}.");
            return 0;
        }
        catch (SealedPackageException exception)
        {
            Console.Error.WriteLine($"cpm open: {exception.Message}");
            return 1;
        }
    }

    static async Task<int> Get(Options options, string path) => await Send(options, HttpMethod.Get, path, null);

    static async Task<int> Send(Options options, HttpMethod method, string path, HttpContent? content)
    {
        using var client = await Client(options);
        using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = content });
        if (!response.IsSuccessStatusCode)
            return await Problem(response);
        Console.WriteLine(Pretty(await response.Content.ReadAsStringAsync()));
        return 0;
    }

    static async Task<int> Problem(HttpResponseMessage response)
    {
        Console.Error.WriteLine($"{(int)response.StatusCode} {response.ReasonPhrase}");
        Console.Error.WriteLine(Pretty(await response.Content.ReadAsStringAsync()));
        return 1;
    }

    static string Pretty(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return "";
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions
            {
                WriteIndented = true,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            });
        }
        catch (JsonException)
        {
            return json;
        }
    }

    static string Id(Options options) =>
        options.Positional.Count == 1 && Guid.TryParse(options.Positional[0], out _) ? options.Positional[0] : throw new UsageException("give one submission id.");

    static (X509Certificate2 Certificate, X509Certificate2 Ca) Credentials(Options options)
    {
        var office = options.Required("--office", "CPM_OFFICE");
        var ca = options.Required("--ca", "CPM_CA");
        return (Pem.LoadCertificateWithKey(Path.Combine(office, "cert.pem"), Path.Combine(office, "key.pem")), Pem.LoadCertificate(ca));
    }

    static async Task<HttpClient> Client(Options options)
    {
        var (certificate, ca) = Credentials(options);
        var handler = RelayHandler.Create(certificate, ca);
        var client = new HttpClient(handler) { BaseAddress = new Uri(options.Get("--url", "CPM_URL", "https://127.0.0.1:7443")!), Timeout = TimeSpan.FromSeconds(60) };
        await SignIn(client, options.Get("--user", "CPM_USER") ?? Path.Combine(options.Required("--office", "CPM_OFFICE"), "user.json"));
        return client;
    }

    /// <summary>Every call needs a staff member's token besides the certificate: sign in with the user file's ID and password.</summary>
    static async Task SignIn(HttpClient client, string userFile)
    {
        if (!File.Exists(userFile))
            throw new UsageException($"{userFile} does not exist: give --user FILE with {{\"userId\": …, \"password\": …}} (CPM_USER).");
        using var response = await client.PostAsync("/v1/auth/token", new StringContent(await File.ReadAllTextAsync(userFile), System.Text.Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
        {
            await Problem(response);
            throw new SignInException();
        }
        using var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("accessToken").GetString());
    }

    sealed class SignInException : Exception;
}
