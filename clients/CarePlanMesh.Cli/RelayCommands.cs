using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace CarePlanMesh.Cli;

/// <summary>The commands that call the relay as a signed-in office (<see cref="Connection"/>); each prints the relay's JSON body.</summary>
static class RelayCommands
{
    static readonly string[] InProgress = ["Received", "Validating", "Sealing", "Routing"];
    static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(5);

    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(Submit());
        var withdrawId = Id("the submission to withdraw");
        root.Subcommands.Add(Call("withdraw", "withdraw a submission the recipient has not picked up",
            parsed => Post($"/v1/submissions/{parsed.GetValue(withdrawId)}/withdraw"), withdrawId));
        var statusId = Id("the submission");
        root.Subcommands.Add(Call("status", "show a submission's state, timeline and defects", parsed => Get($"/v1/submissions/{parsed.GetValue(statusId)}"), statusId));
        root.Subcommands.Add(Call("mailbox", "list deliveries awaiting pickup", _ => Get("/v1/mailbox")));
        root.Subcommands.Add(Download());
        var ackId = Id("the delivery to acknowledge");
        root.Subcommands.Add(Call("ack", "acknowledge a delivery", parsed => Post($"/v1/mailbox/{parsed.GetValue(ackId)}/ack"), ackId));
        root.Subcommands.Add(SearchDirectory());
        root.Subcommands.Add(Call("partners", "list your partnerships (連携先) and what you may do with each", _ => Get("/v1/partnerships")));
        root.Subcommands.Add(PartnerRequest());
        root.Subcommands.Add(Partner());
        root.Subcommands.Add(Call("licence", "your licence status and the free-pass window", _ => Get("/v1/licence")));
        root.Subcommands.Add(Call("free-pass", "apply for the free pass (one year from today)", _ => Post("/v1/licence/free-pass")));
        root.Subcommands.Add(AdminOffice());
        root.Subcommands.Add(AdminStaff());
        root.Subcommands.Add(AdminCertificate());
        var revokeOffice = Office();
        var thumbprint = new Argument<string>("THUMBPRINT") { Description = "the certificate's SHA-1 thumbprint" };
        root.Subcommands.Add(Call("admin-revoke", "operator: revoke an office certificate at once",
            parsed => Post($"/v1/admin/offices/{parsed.GetValue(revokeOffice)}/certificates/{parsed.GetValue(thumbprint)}/revoke"), revokeOffice, thumbprint));
        var licenceOffice = Office();
        var from = new Option<string>("--from") { Description = "the first day, YYYY-MM-DD (default today, Japan time)" };
        root.Subcommands.Add(Call("admin-licence", "operator: grant an annual licence", parsed => Task.FromResult(new Request(HttpMethod.Post,
            $"/v1/admin/offices/{parsed.GetValue(licenceOffice)}/licences",
            JsonContent.Create(new { validFrom = parsed.GetValue(from) ?? DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd") }))), licenceOffice, from));
    }

    sealed record Request(HttpMethod Method, string Path, HttpContent? Content);

    static Task<Request> Get(string path) => Task.FromResult(new Request(HttpMethod.Get, path, null));
    static Task<Request> Post(string path) => Task.FromResult(new Request(HttpMethod.Post, path, null));

    static Argument<Guid> Id(string description) => new("ID") { Description = description };
    static Argument<string> Office() => new("OFFICE") { Description = "the 10-digit office number / 事業所番号" };

    /// <summary>A command that sends one request as the signed-in office and prints the relay's answer.</summary>
    static Command Call(string name, string description, Func<ParseResult, Task<Request>> request, params Symbol[] symbols)
    {
        Connection connection = null!;
        var command = Cli.Define(name, description, async (parsed, output, cancellationToken) =>
        {
            // The request first: a usage error is reported before anything goes over the network.
            var (method, path, content) = await request(parsed);
            using var client = await connection.SignedIn(parsed, output);
            if (client is null)
                return 1;
            using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = content }, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return await output.Refused(response);
            output.Document(await response.Content.ReadAsStringAsync(cancellationToken));
            return 0;
        });
        Add(command, symbols);
        connection = Connection.AddTo(command);
        return command;
    }

    static void Add(Command command, Symbol[] symbols)
    {
        foreach (var symbol in symbols)
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
    }

    static Command Submit()
    {
        var files = new Argument<string[]>("FILE") { Description = "the files of one send unit / 送信単位のファイル", Arity = ArgumentArity.OneOrMore };
        var resend = new Option<bool>("--resend") { Description = "send the same files again on purpose / 同じファイルを意図して再送する" };
        var wait = new Option<bool>("--wait") { Description = "wait until the relay has checked, sealed and routed the unit; print its status (exit 1 when refused) / 処理が終わるまで待つ" };
        Connection connection = null!;
        var command = Cli.Define("submit", "send the files of one send unit (--resend: the same files again on purpose)", async (parsed, output, cancellationToken) =>
        {
            using var form = new MultipartFormDataContent();
            foreach (var path in parsed.GetValue(files)!)
            {
                if (!File.Exists(path))
                    throw CliException.Usage($"{path} does not exist.", $"{path} がありません。");
                var content = new ByteArrayContent(await File.ReadAllBytesAsync(path, cancellationToken));
                content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                form.Add(content, "files", Path.GetFileName(path));
            }
            using var client = await connection.SignedIn(parsed, output);
            if (client is null)
                return 1;
            // The form is built in memory (send units are small) so that its upload can be counted.
            var body = await form.ReadAsByteArrayAsync(cancellationToken);
            using var response = await ProgressDisplay.Run(output, "upload", body.Length, async progress =>
            {
                var upload = new ReportingContent(body, progress);
                upload.Headers.ContentType = form.Headers.ContentType;
                using var request = new HttpRequestMessage(HttpMethod.Post, parsed.GetValue(resend) ? "/v1/submissions?resend=true" : "/v1/submissions") { Content = upload };
                // One key for this run's tries (RelayRetry): a try the relay stored but could not answer is answered by the next
                // try with the same submission, never stored twice.
                request.Headers.Add(RelayRetry.IdempotencyKey, Guid.NewGuid().ToString());
                return await client.SendAsync(request, cancellationToken);
            });
            if (!response.IsSuccessStatusCode)
                return await output.Refused(response);
            var accepted = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!parsed.GetValue(wait))
            {
                output.Document(accepted);
                return 0;
            }
            using var submission = JsonDocument.Parse(accepted);
            return await Wait(client, submission.RootElement.GetProperty("id").GetString()!, output, cancellationToken);
        });
        command.Arguments.Add(files);
        command.Options.Add(resend);
        command.Options.Add(wait);
        connection = Connection.AddTo(command);
        return command;
    }

    /// <summary>Polls the submission until validation, sealing and routing are over; its status is the output.</summary>
    static async Task<int> Wait(HttpClient client, string id, Output output, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + WaitLimit;
        var (status, state) = await ProgressDisplay.Run(output, $"{id}: Received", null, async progress =>
        {
            while (true)
            {
                var response = await client.GetAsync($"/v1/submissions/{id}", cancellationToken);
                if (!response.IsSuccessStatusCode)
                    return (response, (string?)null);
                string body;
                using (response)
                    body = await response.Content.ReadAsStringAsync(cancellationToken);
                using var document = JsonDocument.Parse(body);
                var current = document.RootElement.GetProperty("state").GetString() ?? "";
                progress.Describe($"{id}: {current}");
                if (!InProgress.Contains(current))
                    return ((HttpResponseMessage?)null, body);
                if (DateTimeOffset.UtcNow > deadline)
                    throw new CliException("timeout", $"submission {id} is still {current} after {WaitLimit.TotalMinutes} minutes; `cpm status {id}` shows where it is.",
                        $"送信 {id} は {WaitLimit.TotalMinutes} 分後も {current} のままです。`cpm status {id}` で状況を確認できます。");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        });
        if (status is not null)
            using (status)
                return await output.Refused(status);
        output.Document(state!);
        using var final = JsonDocument.Parse(state!);
        return final.RootElement.GetProperty("state").GetString() is "AwaitingPickup" or "Acknowledged" ? 0 : 1;
    }

    static Command Download()
    {
        var id = Id("the delivery to save");
        var output = new Option<string>("--out") { Description = "the file to write the sealed package (DER CMS) to / 保存先", Required = true };
        Connection connection = null!;
        var command = Cli.Define("download", "save a sealed package (DER CMS)", async (parsed, result, cancellationToken) =>
        {
            var file = parsed.GetValue(output)!;
            using var client = await connection.SignedIn(parsed, result);
            if (client is null)
                return 1;
            using var response = await client.GetAsync($"/v1/mailbox/{parsed.GetValue(id)}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return await result.Refused(response);
            // Written beside the target and moved into place: an interrupted download leaves no half package under its name.
            var partial = file + ".partial";
            var (bytes, sha256) = await ProgressDisplay.Run(result, "download", response.Content.Headers.ContentLength, async progress =>
            {
                await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
                await using (var target = File.Create(partial))
                {
                    var buffer = new byte[64 * 1024];
                    long total = 0;
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    int read;
                    while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        hash.AppendData(buffer, 0, read);
                        total += read;
                        progress.Advance(read);
                    }
                    return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
                }
            });
            File.Move(partial, file, overwrite: true);
            result.Result(new { id = parsed.GetValue(id), file = Path.GetFullPath(file), bytes, sha256 },
                $"Saved the sealed package to {file}; open it with `cpm open {file} --out files.zip`.");
            return 0;
        });
        command.Arguments.Add(id);
        command.Options.Add(output);
        connection = Connection.AddTo(command);
        return command;
    }

    static Command SearchDirectory()
    {
        var q = new Option<string>("--q") { Description = "text in the office's name or number / 名称・番号の一部" };
        var prefecture = new Option<string>("--prefecture") { Description = "the prefecture code, NN / 都道府県コード" };
        var type = new Option<string>("--type") { Description = "the service type, NN / サービス種類" };
        return Call("directory", "find registered offices", parsed =>
        {
            var query = string.Join("&", new[] { ("q", parsed.GetValue(q)), ("prefecture", parsed.GetValue(prefecture)), ("serviceType", parsed.GetValue(type)) }
                .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
            return Get(query.Length == 0 ? "/v1/directory" : $"/v1/directory?{query}");
        }, q, prefecture, type);
    }

    static Command PartnerRequest()
    {
        var office = new Argument<string?>("OFFICE") { Description = "the partner's office number / 相手の事業所番号", Arity = ArgumentArity.ZeroOrOne };
        var email = new Option<string>("--email") { Description = "invite an office that is not registered yet / 未登録の事業所を招待する" };
        var command = Call("partner-request", "ask an office to partner, or invite one not registered yet", parsed =>
            Task.FromResult(new Request(HttpMethod.Post, "/v1/partnerships", JsonContent.Create(new { partnerOffice = parsed.GetValue(office), inviteEmail = parsed.GetValue(email) }))),
            office, email);
        command.Validators.Add(result =>
        {
            if (result.GetValue(office) is null && result.GetValue(email) is null)
                result.AddError("name the partner's office number, or --email to invite an office that is not registered / 相手の事業所番号か、招待する --email を指定してください.");
        });
        return command;
    }

    static Command Partner()
    {
        var id = Id("the partnership");
        var action = new Argument<string>("ACTION") { Description = "approve, decline, suspend or end" };
        action.AcceptOnlyFromAmong("approve", "decline", "suspend", "end");
        return Call("partner", "act on a partnership", parsed => Post($"/v1/partnerships/{parsed.GetValue(id)}/{parsed.GetValue(action)}"), id, action);
    }

    static Command AdminOffice()
    {
        var office = Office();
        var name = new Option<string>("--name") { Description = "the office's name / 事業所名", Required = true };
        var types = new Option<string>("--types") { Description = "service types, comma-separated, e.g. 11,13 / サービス種類", Required = true };
        var email = new Option<string>("--email") { Description = "the office's contact address / 連絡先メールアドレス" };
        return Call("admin-office", "operator: register an office (role admin)", parsed => Task.FromResult(new Request(HttpMethod.Post, "/v1/admin/offices", JsonContent.Create(new
        {
            officeNumber = parsed.GetValue(office),
            name = parsed.GetValue(name),
            serviceTypes = parsed.GetValue(types)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            contactEmail = parsed.GetValue(email),
        }))), office, name, types, email);
    }

    static Command AdminStaff()
    {
        var office = Office();
        var user = new Argument<string>("USERID") { Description = "the staff member's 14-character user ID (ID…) / ユーザーID" };
        var password = new Option<string>("--password") { Description = "the initial password / 初期パスワード", Required = true };
        var admin = new Option<bool>("--admin") { Description = "the operator's role / 運営者の権限" };
        return Call("admin-staff", "operator: register a staff member", parsed => Task.FromResult(new Request(HttpMethod.Post,
            $"/v1/admin/offices/{parsed.GetValue(office)}/staff",
            JsonContent.Create(new { userId = parsed.GetValue(user), password = parsed.GetValue(password), admin = parsed.GetValue(admin) }))), office, user, password, admin);
    }

    static Command AdminCertificate()
    {
        var office = Office();
        var certificate = new Argument<string>("CERT.pem") { Description = "the office's certificate, PEM / 事業所の証明書" };
        return Call("admin-certificate", "operator: register an office certificate", async parsed =>
        {
            var path = parsed.GetValue(certificate)!;
            if (!File.Exists(path))
                throw CliException.Usage($"{path} does not exist.", $"{path} がありません。");
            return new Request(HttpMethod.Post, $"/v1/admin/offices/{parsed.GetValue(office)}/certificates", JsonContent.Create(new { pem = await File.ReadAllTextAsync(path) }));
        }, office, certificate);
    }
}
