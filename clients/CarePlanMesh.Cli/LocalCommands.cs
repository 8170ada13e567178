using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Cli;

/// <summary>The commands that need no signed-in office: development PKI, samples, offline validation and opening, probes.</summary>
static class LocalCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(DevPki());
        root.Subcommands.Add(Samples());
        root.Subcommands.Add(Validate());
        root.Subcommands.Add(Open());
        root.Subcommands.Add(AuditVerify());
        root.Subcommands.Add(Probe());
    }

    static Option<string> Out(string description) => new("--out") { Description = description, Required = true };

    static Command DevPki()
    {
        var output = Out("the folder to write the CA, relay, server and office certificates to / 出力フォルダ");
        var force = new Option<bool>("--force") { Description = "replace a CA already there / 既存の認証局を置き換える" };
        var loadPairs = new Option<int>("--load-pairs")
        {
            Description = $"also this many partnered care office (0391…) and 訪問介護 (0392…) pairs for load runs, 0–{DevelopmentPki.MaxLoadTestPairs} / 負荷試験用の連携ペア数",
        };
        loadPairs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > DevelopmentPki.MaxLoadTestPairs)
                result.AddError($"--load-pairs is 0–{DevelopmentPki.MaxLoadTestPairs} / --load-pairs は 0〜{DevelopmentPki.MaxLoadTestPairs} です.");
        });
        var command = Cli.Define("dev-pki", "create a development CA, relay and demo office certificates", (parsed, result, _) =>
        {
            var directory = parsed.GetValue(output)!;
            if (File.Exists(Path.Combine(directory, "ca.pem")) && !parsed.GetValue(force))
                throw CliException.Usage($"{directory} already holds a CA; pass --force to replace it.", $"{directory} には認証局があります。置き換えるには --force を付けてください。");
            IReadOnlyList<DemoOffice> offices = [.. DevelopmentPki.DefaultOffices, .. DevelopmentPki.LoadTestPairs(parsed.GetValue(loadPairs))];
            DevelopmentPki.Create(directory, offices);
            result.Result(
                new
                {
                    directory = Path.GetFullPath(directory),
                    offices = offices.Select(o => new { officeNumber = o.OfficeNumber, serviceTypes = o.ServiceTypes, folder = $"offices/{o.OfficeNumber}" }),
                },
                [$"Wrote the development CA, server, relay and {offices.Count} office certificates to {Path.GetFullPath(directory)}",
                    .. offices.Select(o => $"  {o.OfficeNumber} ({string.Join(',', o.ServiceTypes)}) {o.Name}: offices/{o.OfficeNumber}/cert.pem, key.pem")]);
            return Task.FromResult(0);
        });
        command.Options.Add(output);
        command.Options.Add(force);
        command.Options.Add(loadPairs);
        return command;
    }

    static Command Samples()
    {
        var output = Out("the folder to write the sample files to / 出力フォルダ");
        var command = Cli.Define("samples", "write the standard's synthetic sample files in MS932, ready to submit", async (parsed, result, _) =>
        {
            var directory = parsed.GetValue(output)!;
            Directory.CreateDirectory(directory);
            var assembly = typeof(Cli).Assembly;
            var written = new List<string>();
            foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("samples/", StringComparison.Ordinal)).Order())
            {
                await using var stream = assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
                var name = resource["samples/".Length..];
                await File.WriteAllBytesAsync(Path.Combine(directory, name), Ms932.Encoding.GetBytes(await reader.ReadToEndAsync()));
                written.Add(name);
            }
            result.Result(new { directory = Path.GetFullPath(directory), files = written }, written);
            return 0;
        });
        command.Options.Add(output);
        return command;
    }

    static Command Validate()
    {
        var paths = new Argument<string[]>("FILE|DIR") { Description = "files or folders to check / 確認するファイルまたはフォルダ", Arity = ArgumentArity.OneOrMore };
        var policyOption = new Option<string>("--policy") { Description = "the validation policy, JSON (the Validation__* settings, docs/spec-decisions.md)" };
        var command = Cli.Define("validate", "check files against the standard offline; exit 1 when any error", async (parsed, result, _) =>
        {
            var files = parsed.GetValue(paths)!.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
            var missing = files.FirstOrDefault(p => !File.Exists(p));
            if (missing is not null)
                throw CliException.Usage($"{missing} does not exist.", $"{missing} がありません。");
            var policy = parsed.GetValue(policyOption) is { } policyFile
                ? JsonSerializer.Deserialize<ValidationPolicy>(await File.ReadAllTextAsync(policyFile), DefectReport.JsonOptions) ?? ValidationPolicy.Default
                : ValidationPolicy.Default;

            // A folder may hold several send units: each is checked on its own, as the relay would receive it.
            var contents = new List<(string Name, byte[] Content)>();
            foreach (var path in files)
                contents.Add((Path.GetFileName(path), await File.ReadAllBytesAsync(path)));
            var reports = contents
                .GroupBy(f => StandardFileName.Parse(f.Name, []) is { } n ? $"{n.SenderOffice}_{n.RecipientOffice}_{n.SendUnit}" : f.Name)
                .Select(unit => StandardValidator.Validate([.. unit], authenticatedOffice: null, policy))
                .ToList();

            if (result.Json)
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
        });
        command.Arguments.Add(paths);
        command.Options.Add(policyOption);
        return command;
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

    static Command Open()
    {
        var package = new Argument<string>("PACKAGE") { Description = "the sealed package (DER CMS) / 封かんされたパッケージ" };
        var output = Out("the zip file to write / 書き出す zip ファイル");
        var relayOption = new Option<string[]>("--relay")
        {
            Description = "the relay's signing certificates, PEM: one, or old and new during a renewal (a bundle file, or the option again) (CPM_RELAY, default relay/cert.pem beside the CA) / 中継の署名用証明書（更新中は新旧）",
        };
        Connection connection = null!;
        var command = Cli.Define("open", "decrypt and verify a sealed package offline (signed by the relay: --relay, or relay/cert.pem beside the CA)", async (parsed, result, _) =>
        {
            var (certificate, ca) = connection.Credentials(parsed);
            var relayFiles = parsed.GetValue(relayOption) is { Length: > 0 } given ? given
                : [Environment.GetEnvironmentVariable("CPM_RELAY") is { Length: > 0 } fromEnvironment ? fromEnvironment : RelayCertificates.DefaultFile(connection.CaFile(parsed))];
            var relay = RelayCertificates.Load(relayFiles);
            try
            {
                var opened = PackageOpener.Open(await File.ReadAllBytesAsync(parsed.GetValue(package)!), certificate, ca, relay);
                var file = parsed.GetValue(output)!;
                await File.WriteAllBytesAsync(file, opened.Content);
                var signer = opened.Signer.GetNameInfo(X509NameType.SimpleName, false);
                result.Result(new { file = Path.GetFullPath(file), bytes = opened.Content.Length, signer, signerSerial = opened.Signer.SerialNumber, signingTime = opened.SigningTime, verified = true,
                        trustedRelayCertificates = RelayCertificates.Describe(relay).Select(c => new { subject = c.Subject, serial = c.Serial, notAfter = c.NotAfter }) },
                    $"Signature of {signer} (serial {opened.Signer.SerialNumber}) verified (signed {opened.SigningTime:u}); wrote {file}.");
                return 0;
            }
            catch (SealedPackageException exception)
            {
                throw new CliException("package", exception.Message, $"パッケージを開けません（この事業所宛てでないか、署名を確認できません）: {exception.MessageJa}");
            }
        });
        command.Arguments.Add(package);
        command.Options.Add(output);
        command.Options.Add(relayOption);
        connection = Connection.AddTo(command, relay: false);
        return command;
    }

    static Command AuditVerify()
    {
        var management = new Option<string>("--management") { Description = "intake's management address (CPM_MANAGEMENT, default http://127.0.0.1:7401)" };
        var command = Cli.Define("audit-verify", "recompute the audit trail's hash chain (intake's management address, default http://127.0.0.1:7401)", async (parsed, result, _) =>
        {
            var address = parsed.GetValue(management) ?? (Environment.GetEnvironmentVariable("CPM_MANAGEMENT") is { Length: > 0 } fromEnvironment ? fromEnvironment : "http://127.0.0.1:7401");
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
                throw CliException.Usage($"--management is an address, e.g. http://127.0.0.1:7401 (got {address}).", "--management には管理用アドレスを指定してください（例: http://127.0.0.1:7401）。");
            using var client = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(10) };
            var response = await ProgressDisplay.Run(result, "verifying the audit trail", null, _ => client.GetAsync("/audit/verify"));
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                    return await result.Refused(response);
                var text = await response.Content.ReadAsStringAsync();
                result.Document(text);
                using var verified = JsonDocument.Parse(text);
                return verified.RootElement.GetProperty("valid").GetBoolean() ? 0 : 1;
            }
        });
        command.Options.Add(management);
        return command;
    }

    static Command Probe()
    {
        // System.CommandLine has no converter for Uri: parsed here, or every probe would stop on an unhandled exception.
        var url = new Argument<Uri>("URL")
        {
            Description = "the http(s) address to ask, e.g. http://127.0.0.1:7401/health/ready",
            CustomParser = result =>
            {
                if (Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var address) && address.Scheme is "http" or "https")
                    return address;
                result.AddError("URL must be an absolute http(s) address / URL には http(s) の絶対アドレスを指定してください.");
                return null;
            },
        };
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for the answer (default 5)", DefaultValueFactory = _ => 5 };
        timeout.Validators.Add(option =>
        {
            if (option.GetValueOrDefault<int>() < 1)
                option.AddError("--timeout is a whole number of seconds, at least 1 / --timeout は 1 以上の秒数です.");
        });
        var command = Cli.Define("probe", "exit 0 when URL answers 200 (container health checks; default timeout 5 s)", async (parsed, result, _) =>
        {
            var uri = parsed.GetValue(url)!;
            var seconds = parsed.GetValue(timeout);
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(seconds) };
            int? status = null;
            try
            {
                using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
                status = (int)response.StatusCode;
            }
            // A health check only needs to know that nothing answered; why is in the service's log.
            catch (HttpRequestException)
            {
                throw new CliException("unreachable", $"{uri} cannot be reached.", $"{uri} に接続できません。");
            }
            catch (TaskCanceledException)
            {
                throw new CliException("unreachable", $"{uri} did not answer within {seconds} s.", $"{uri} が {seconds} 秒以内に応答しませんでした。");
            }
            if (status == 200)
            {
                result.Result(new { url = uri, status }, []);
                return 0;
            }
            throw new CliException("http-status", $"{uri} answered {status}.", $"{uri} が {status} を返しました。");
        });
        command.Arguments.Add(url);
        command.Options.Add(timeout);
        return command;
    }
}
