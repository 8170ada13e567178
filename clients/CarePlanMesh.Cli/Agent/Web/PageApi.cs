using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CarePlanMesh.Cli.Agent.Web;

/// <summary>
/// The page's JSON API. Lists, partners, notifications and the dry run are the relay's own answers, fetched with the agent's
/// connection (client certificate and staff token); sending places the files in the outbox, so that the outbox loop sends
/// them exactly as it sends what care software exports; received units and reconciliation reports are opened here.
/// </summary>
public sealed partial class PageApi(AgentSettings settings, AgentStore store, RelayConnection relay, PageGuard guard)
{
    /// <summary>A page waits at most this long for the relay, then says the relay is down.</summary>
    static readonly TimeSpan RelayDeadline = TimeSpan.FromSeconds(15);
    static readonly string[] PartnershipActions = ["approve", "decline", "suspend", "end"];

    string Office => settings.Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);

    public void Map(WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/session", (HttpContext context) => Results.Json(new { csrfToken = guard.Session(context), office = Office, relay = settings.Url.Authority }));
        api.MapGet("/status", Status);
        api.MapPost("/validate", Validate);
        api.MapPost("/send", Send);
        api.MapGet("/sent", (HttpContext context, CancellationToken cancellationToken) => Guarded(async () =>
        {
            var (result, body) = await Json(() => Get($"/v1/submissions{Query(context, "limit=50")}"), cancellationToken);
            if (body is JsonObject page)
                page["local"] = new JsonArray([.. store.Units(UnitStates.Sending, UnitStates.Failing, UnitStates.Failed).Reverse().Take(20)
                    .Select(u => (JsonNode)new JsonObject { ["sendUnit"] = u.SendUnit, ["state"] = u.State, ["files"] = new JsonArray([.. u.Files.Select(f => (JsonNode)f)]), ["folder"] = u.Target, ["report"] = u.Report })]);
            return result ?? Results.Json(body);
        }));
        api.MapGet("/sent/{id:guid}", (Guid id, CancellationToken cancellationToken) => Guarded(async () =>
        {
            var (refused, status) = await Json(() => Get($"/v1/submissions/{id}"), cancellationToken);
            if (refused is not null)
                return refused;
            var (_, receipts) = await Json(() => Get($"/v1/submissions/{id}/receipts"), cancellationToken);
            var folder = store.Units(UnitStates.Sent, UnitStates.Acknowledged, UnitStates.Submitted).FirstOrDefault(u => u.SubmissionId == id)?.Folder;
            return Results.Json(new JsonObject { ["status"] = status, ["receipts"] = receipts?["receipts"]?.DeepClone(), ["folder"] = folder });
        }));
        api.MapGet("/received", (HttpContext context, CancellationToken cancellationToken) => Guarded(async () =>
        {
            var (result, body) = await Json(() => Get($"/v1/mailbox{Query(context, "state=all&limit=50")}"), cancellationToken);
            if (body?["items"] is JsonArray items)
                foreach (var item in items.OfType<JsonObject>())
                    if (Guid.TryParse(item["id"]?.GetValue<string>(), out var id) && store.Delivery(id) is { } delivery)
                        item["local"] = new JsonObject { ["state"] = delivery.State, ["folder"] = delivery.Folder };
            return result ?? Results.Json(body);
        }));
        api.MapGet("/received/{id:guid}/download", Download);
        api.MapGet("/reconciliations", (HttpContext context, CancellationToken cancellationToken) =>
            Guarded(() => Forward(() => Get($"/v1/reconciliations{Query(context, "")}"), cancellationToken)));
        api.MapGet("/reconciliations/{id:guid}/report", Report);
        api.MapGet("/directory", (HttpContext context, CancellationToken cancellationToken) =>
            Guarded(() => Forward(() => Get($"/v1/directory{Query(context, "")}"), cancellationToken)));
        api.MapGet("/partnerships", (CancellationToken cancellationToken) => Guarded(() => Forward(() => Get("/v1/partnerships"), cancellationToken)));
        api.MapPost("/partnerships", (HttpContext context, CancellationToken cancellationToken) => Guarded(async () =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(cancellationToken);
            return await Forward(() => new HttpRequestMessage(HttpMethod.Post, "/v1/partnerships") { Content = new StringContent(body, Encoding.UTF8, "application/json") }, cancellationToken);
        }));
        api.MapPost("/partnerships/{id:guid}/{action}", (Guid id, string action, CancellationToken cancellationToken) => PartnershipActions.Contains(action)
            ? Guarded(() => Forward(() => new HttpRequestMessage(HttpMethod.Post, $"/v1/partnerships/{id}/{action}"), cancellationToken))
            : Task.FromResult(NotFound()));
        api.MapGet("/notifications", (HttpContext context, CancellationToken cancellationToken) =>
            Guarded(() => Forward(() => Get($"/v1/notifications{Query(context, "limit=20")}"), cancellationToken)));
        api.MapPost("/notifications/{id}/read", (string id, CancellationToken cancellationToken) => NotificationId().IsMatch(id)
            ? Guarded(() => Forward(() => new HttpRequestMessage(HttpMethod.Post, $"/v1/notifications/{id}/read"), cancellationToken))
            : Task.FromResult(NotFound()));
    }

    /// <summary>Connection, sign-in, the certificate's and the licence's expiry, and the banners the page shows for them.</summary>
    async Task<IResult> Status(CancellationToken cancellationToken)
    {
        bool connected, signedIn;
        JsonNode? licence = null;
        try
        {
            var (refused, body) = await Json(() => Get("/v1/licence"), cancellationToken);
            (connected, signedIn, licence) = (true, relay.SignedIn, refused is null ? body : null);
        }
        catch (RelayRefusedException)
        {
            (connected, signedIn) = (true, false);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            (connected, signedIn) = (false, false);
        }
        var banners = new JsonArray();
        var notAfter = new DateTimeOffset(settings.Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var daysLeft = (int)Math.Floor((notAfter - DateTimeOffset.UtcNow).TotalDays);
        if (daysLeft < 0)
            banners.Add(Banner("certificate", "error", "事業所の証明書の有効期限が切れています。中継の運営者に新しい証明書を依頼してください。",
                "The office certificate has expired. Ask the relay operator for a new one."));
        else if (daysLeft <= 90)
            banners.Add(Banner("certificate", "warning", $"事業所の証明書は {notAfter:yyyy-MM-dd} に期限が切れます（あと {daysLeft} 日）。更新を依頼してください。",
                $"The office certificate expires on {notAfter:yyyy-MM-dd} ({daysLeft} days left). Ask for its renewal."));
        var relayCertificates = RelayCertificates.Describe(settings.Relay).ToList();
        var lastRelay = relayCertificates.Max(c => c.NotAfter);
        var relayDays = (int)Math.Floor((lastRelay - DateTimeOffset.UtcNow).TotalDays);
        // The relay renews before its certificate ends; an agent that trusts none beyond the next month has missed the new one.
        if (relayDays <= 30)
            banners.Add(Banner("relay-certificate", relayDays < 0 ? "error" : "warning",
                $"信頼している中継の署名用証明書は {lastRelay:yyyy-MM-dd} までです。中継の運営者から新しい証明書を受け取り、--relay に加えてください。",
                $"The relay signing certificates this agent trusts end on {lastRelay:yyyy-MM-dd}. Get the new one from the relay operator and add it to --relay."));
        if (licence is not null)
        {
            var validUntil = licence["validUntil"]?.GetValue<string>() is { } until ? DateOnly.Parse(until, System.Globalization.CultureInfo.InvariantCulture) : (DateOnly?)null;
            var licenceDays = validUntil is { } last ? last.DayNumber - DateOnly.FromDateTime(DateTime.Today).DayNumber : (int?)null;
            if (licence["valid"]?.GetValue<bool>() != true)
                banners.Add(Banner("licence", "error", "利用ライセンス（またはフリーパス）が有効ではありません。中継はファイルを運びません。",
                    "The office has no valid licence or free pass: the relay carries no files for it."));
            else if (licenceDays <= 60)
                banners.Add(Banner("licence", "warning", $"利用ライセンスは {validUntil:yyyy-MM-dd} までです（あと {licenceDays} 日）。",
                    $"The licence is valid until {validUntil:yyyy-MM-dd} ({licenceDays} days left)."));
        }
        return Results.Json(new JsonObject
        {
            ["office"] = Office,
            ["relay"] = settings.Url.Authority,
            ["connected"] = connected,
            ["signedIn"] = signedIn,
            ["certificate"] = new JsonObject { ["notAfter"] = notAfter.ToString("yyyy-MM-dd"), ["daysLeft"] = daysLeft },
            ["relayCertificates"] = new JsonArray([.. relayCertificates.Select(c => (JsonNode)new JsonObject
            {
                ["subject"] = c.Subject, ["serial"] = c.Serial, ["notAfter"] = c.NotAfter.ToString("yyyy-MM-dd"),
                ["daysLeft"] = (int)Math.Floor((c.NotAfter - DateTimeOffset.UtcNow).TotalDays),
            })]),
            ["licence"] = licence?.DeepClone(),
            ["banners"] = banners,
        });
    }

    static JsonObject Banner(string kind, string level, string ja, string en) => new() { ["kind"] = kind, ["level"] = level, ["ja"] = ja, ["en"] = en };

    /// <summary>The relay's dry run (POST /v1/validate) of the dropped files: every defect with file, line, field and messages; nothing is stored.</summary>
    async Task<IResult> Validate(HttpRequest request, CancellationToken cancellationToken)
    {
        if (await Files(request, cancellationToken) is not { Count: > 0 } files)
            return NoFiles();
        return await Guarded(() => Forward(() =>
        {
            var form = new MultipartFormDataContent();
            foreach (var (name, content) in files)
            {
                var part = new ByteArrayContent(content);
                part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                form.Add(part, "files", name);
            }
            return new HttpRequestMessage(HttpMethod.Post, "/v1/validate") { Content = form };
        }, cancellationToken));
    }

    /// <summary>Places one send unit's files in the outbox (temporary name, then rename); the outbox loop checks and sends them.</summary>
    async Task<IResult> Send(HttpRequest request, CancellationToken cancellationToken)
    {
        if (await Files(request, cancellationToken) is not { Count: > 0 } files)
            return NoFiles();
        var names = files.Select(f => StandardFileName.Parse(f.Name, [])).ToList();
        if (names.Any(n => n is null) || names.Select(n => (n!.SenderOffice, n.RecipientOffice, n.SendUnit)).Distinct().Count() != 1)
            return PageProblems.Of(StatusCodes.Status422UnprocessableEntity, "not-one-send-unit", "The files are not one send unit", "1つの送信単位のファイルではありません",
                "Send files with the standard's names that share sender, recipient and ファイル連番, one unit at a time.",
                "標準仕様の名前で、送信元・送信先・ファイル連番が同じファイルを、1送信単位ずつ送ってください。");
        var unit = names[0]!;
        if (unit.SenderOffice != Office)
            return PageProblems.Of(StatusCodes.Status422UnprocessableEntity, "sender-mismatch", "The files name another sender", "送信元が貴事業所ではありません",
                $"The files' sender office is {unit.SenderOffice}; this agent sends as {Office}.", $"ファイルの送信元は {unit.SenderOffice} ですが、このエージェントは {Office} として送ります。");
        Directory.CreateDirectory(settings.Outbox);
        if (files.Any(f => File.Exists(Path.Combine(settings.Outbox, f.Name))))
            return PageProblems.Of(StatusCodes.Status409Conflict, "already-in-outbox", "The files are already in the outbox", "同じファイルがすでに送信フォルダにあります",
                "A unit with these file names is waiting in the outbox; it is sent shortly.", "同じ名前のファイルが送信フォルダで送信を待っています。まもなく送られます。");
        foreach (var (name, content) in files)
        {
            var temporary = Path.Combine(settings.Outbox, name + ".partial");
            await File.WriteAllBytesAsync(temporary, content, cancellationToken);
            File.Move(temporary, Path.Combine(settings.Outbox, name));
        }
        return Results.Json(new { sendUnit = unit.SendUnit, recipientOffice = unit.RecipientOffice, files = files.Select(f => f.Name) }, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>A received unit's files as one ZIP, once they are in the inbox.</summary>
    IResult Download(Guid id)
    {
        if (store.Delivery(id) is not { State: DeliveryStates.Imported or DeliveryStates.Acknowledged or DeliveryStates.Receipted, Folder: { } folder } delivery || !Directory.Exists(folder))
            return NotFound();
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
                archive.CreateEntryFromFile(file, Path.GetFileName(file));
        zip.Position = 0;
        return Results.File(zip, "application/zip", $"{delivery.SenderOffice}_{delivery.SendUnit}.zip");
    }

    /// <summary>The sealed detail report, opened with the office key, with users' names looked up in the files this agent holds.</summary>
    async Task<IResult> Report(Guid id, CancellationToken cancellationToken) => await Guarded(async () =>
    {
        using var response = await Call(() => Get($"/v1/reconciliations/{id}/report"), cancellationToken);
        if (!response.IsSuccessStatusCode)
            return await Relayed(response, cancellationToken);
        JsonNode report;
        try
        {
            var opened = PackageOpener.Open(await response.Content.ReadAsByteArrayAsync(cancellationToken), settings.Certificate, settings.Ca, settings.Relay);
            report = JsonNode.Parse(opened.Content)!;
        }
        catch (Exception exception) when (exception is SealedPackageException or System.Text.Json.JsonException)
        {
            return PageProblems.Of(StatusCodes.Status502BadGateway, "report-unreadable", "The report did not open", "報告を開けませんでした",
                "The sealed report did not open with the office key or did not carry the relay's signature.", "封をされた報告が事業所の鍵で開けないか、中継の署名がありません。");
        }
        new LocalNames(settings, store).Resolve(report);
        return Results.Json(report);
    });

    static async Task<List<(string Name, byte[] Content)>?> Files(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
            return null;
        var form = await request.ReadFormAsync(cancellationToken);
        var files = new List<(string, byte[])>();
        foreach (var file in form.Files)
        {
            using var content = new MemoryStream();
            await file.CopyToAsync(content, cancellationToken);
            // Only the name: a path sent with it never reaches the file system.
            files.Add((Path.GetFileName(file.FileName.Replace('\\', '/')), content.ToArray()));
        }
        return files;
    }

    static IResult NoFiles() => PageProblems.Of(StatusCodes.Status400BadRequest, "no-files", "No files", "ファイルがありません",
        "Drop or choose the files of one send unit.", "1つの送信単位のファイルをドロップするか選んでください。");

    static IResult NotFound() => PageProblems.Of(StatusCodes.Status404NotFound, "not-found", "Not found", "見つかりません",
        "There is nothing here on this agent.", "このエージェントにはありません。");

    static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    /// <summary>The page's query string for the relay, or the page's defaults when it sent none.</summary>
    static string Query(HttpContext context, string defaults) =>
        context.Request.QueryString.HasValue ? context.Request.QueryString.Value! : defaults.Length > 0 ? "?" + defaults : "";

    async Task<HttpResponseMessage> Call(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RelayDeadline);
        return await relay.Send(build, deadline.Token);
    }

    /// <summary>The relay's answer as it is: its JSON, or its problem document in both languages.</summary>
    async Task<IResult> Forward(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        using var response = await Call(build, cancellationToken);
        return await Relayed(response, cancellationToken);
    }

    static async Task<IResult> Relayed(HttpResponseMessage response, CancellationToken cancellationToken) =>
        Results.Text(await response.Content.ReadAsStringAsync(cancellationToken), response.Content.Headers.ContentType?.ToString() ?? "application/json",
            Encoding.UTF8, (int)response.StatusCode);

    /// <summary>The relay's JSON to add to, or the refusal to pass on as it is.</summary>
    async Task<(IResult? Refused, JsonNode? Body)> Json(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        using var response = await Call(build, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return (await Relayed(response, cancellationToken), null);
        return (null, JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)));
    }

    /// <summary>A relay that cannot be reached, does not answer in time or refuses the sign-in is a fast problem, never an exception page.</summary>
    static async Task<IResult> Guarded(Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or RelayRefusedException)
        {
            return PageProblems.RelayDown(exception);
        }
    }

    [GeneratedRegex("^[0-9A-Za-z-]{1,64}$")]
    private static partial Regex NotificationId();
}
