using System.CommandLine;
using CarePlanMesh.Security;

namespace CarePlanMesh.Cli.Agent;

/// <summary>`cpm agent`: the office agent, on System.CommandLine (help, suggestions and clear errors for its options).</summary>
public static class AgentCommand
{
    public static Command Create()
    {
        var office = new Option<DirectoryInfo>("--office")
        {
            Description = "the office folder with cert.pem, key.pem and user.json (or CPM_OFFICE) / 事業所フォルダ（証明書・鍵・サインイン情報）",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CPM_OFFICE") is { Length: > 0 } folder ? new DirectoryInfo(folder) : null!,
        };
        var ca = new Option<FileInfo>("--ca")
        {
            Description = "the relay's CA certificate, PEM (or CPM_CA) / 中継の認証局の証明書",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CPM_CA") is { Length: > 0 } file ? new FileInfo(file) : null!,
        };
        var url = new Option<Uri>("--url")
        {
            Description = "the relay's address (or CPM_URL) / 中継のアドレス",
            DefaultValueFactory = _ => new Uri(Environment.GetEnvironmentVariable("CPM_URL") is { Length: > 0 } address ? address : "https://127.0.0.1:7443"),
            CustomParser = result =>
            {
                if (Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var address) && address.Scheme is "https" or "http")
                    return address;
                result.AddError("--url is the relay's address, e.g. https://relay.example.jp");
                return null;
            },
        };
        var relay = new Option<FileInfo[]>("--relay")
        {
            Description = "the relay's signing certificates, PEM: one, or old and new during a renewal (a bundle file, or the option again) (default: relay/cert.pem beside the CA) / 中継の署名用証明書（更新中は新旧）",
        };
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "CarePlanMesh");
        var outbox = new Option<DirectoryInfo>("--outbox")
        {
            Description = "the folder care software exports to / 送信フォルダ",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(home, "outbox")),
        };
        var inbox = new Option<DirectoryInfo>("--inbox")
        {
            Description = "the folder received units are imported from / 受信フォルダ",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(home, "inbox")),
        };
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "the agent's data folder (state, packages, log) / エージェントのデータフォルダ",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "CarePlanMesh", "agent")),
        };
        var quiet = Seconds("--quiet-seconds", "a unit is sent once none of its files has changed for this long", 3);
        var incomplete = Seconds("--incomplete-seconds", "a unit still missing files is refused once none of its files has changed for this long", 120);
        var poll = Seconds("--poll-seconds", "how often the mailbox and sent units are checked besides the event stream", 30);
        var longWait = Seconds("--long-wait-seconds", "a received unit waiting this long for an earlier one is reported", 600);
        var port = new Option<int>("--port")
        {
            Description = "the port of the agent's web page on 127.0.0.1 / エージェントの画面のポート（127.0.0.1）",
            DefaultValueFactory = _ => 5080,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 65535)
                result.AddError("--port is a TCP port, 1 to 65535.");
        });

        var command = new Command("agent", "watch the outbox and send complete units; receive deliveries into the inbox in 連番 order (runs until stopped)")
        {
            office, ca, url, relay, outbox, inbox, data, quiet, incomplete, poll, longWait, port,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(office) is null)
                result.AddError("--office is required (or set CPM_OFFICE).");
            if (result.GetValue(ca) is null)
                result.AddError("--ca is required (or set CPM_CA).");
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var officeFolder = parsed.GetValue(office)!.FullName;
            var caFile = parsed.GetValue(ca)!.FullName;
            string[] relayFiles = parsed.GetValue(relay) is { Length: > 0 } given ? [.. given.Select(f => f.FullName)] : [RelayCertificates.DefaultFile(caFile)];
            foreach (var required in new[] { Path.Combine(officeFolder, "cert.pem"), Path.Combine(officeFolder, "key.pem"), Path.Combine(officeFolder, "user.json"), caFile })
                if (!File.Exists(required))
                {
                    Console.Error.WriteLine($"cpm agent: {required} does not exist.");
                    return 2;
                }
            // RelayCertificates.Load says which relay file is missing or unreadable.
            IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> relayCertificates;
            try
            {
                relayCertificates = RelayCertificates.Load(relayFiles);
            }
            catch (CliException exception)
            {
                Console.Error.WriteLine($"cpm agent: {exception.Message}");
                return 2;
            }
            var dataFolder = parsed.GetValue(data)!.FullName;
            Directory.CreateDirectory(dataFolder);
            var settings = new AgentSettings(
                parsed.GetValue(url)!,
                Pem.LoadCertificateWithKey(Path.Combine(officeFolder, "cert.pem"), Path.Combine(officeFolder, "key.pem")),
                Pem.LoadCertificate(caFile),
                relayCertificates,
                Path.Combine(officeFolder, "user.json"),
                parsed.GetValue(outbox)!.FullName,
                parsed.GetValue(inbox)!.FullName,
                dataFolder,
                TimeSpan.FromSeconds(parsed.GetValue(quiet)),
                TimeSpan.FromSeconds(parsed.GetValue(incomplete)),
                TimeSpan.FromSeconds(parsed.GetValue(poll)),
                TimeSpan.FromSeconds(parsed.GetValue(longWait)),
                parsed.GetValue(port));
            using var agent = new OfficeAgent(settings, new AgentLog(dataFolder));
            await agent.Run(cancellationToken);
            return 0;
        });
        return command;
    }

    static Option<int> Seconds(string name, string description, int fallback)
    {
        var option = new Option<int>(name) { Description = $"{description}", DefaultValueFactory = _ => fallback };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
                result.AddError($"{name} is a whole number of seconds, at least 1.");
        });
        return option;
    }
}
