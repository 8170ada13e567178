using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Hosting.WindowsServices;

namespace CarePlanMesh.Cli;

/// <summary>
/// cpm: one System.CommandLine root with every command (help, typo suggestions, clear errors). Exit codes: 0 ok,
/// 1 refused or failed, 2 usage. Every command but the agent takes --json (<see cref="Output"/>).
/// </summary>
public static class Cli
{
    public static async Task<int> Run(string[] args)
    {
        var root = Build();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
            return UsageError(root, args, parsed);
        // Started by the Windows service control manager: the agent runs under the generic host's service lifetime.
        if (parsed.CommandResult.Command.Name == "agent" && WindowsServiceHelpers.IsWindowsService())
            return await AgentService.Run(parsed);
        return await parsed.InvokeAsync();
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("""
            cpm: the command-line client of CarePlanMesh / CarePlanMesh のコマンドライン
              Commands that call the relay take --url (CPM_URL), --office DIR (CPM_OFFICE), --ca PEM (CPM_CA), --user FILE (CPM_USER),
              --retries N (CPM_RETRIES): a 503 or 429 is tried again after its Retry-After, up to N times (default 3).
              Every command but agent takes --json: one JSON document on standard output (the relay's body, a result or a problem).
              Exit codes: 0 ok, 1 refused or failed, 2 usage. `cpm COMMAND --help` explains a command.
            """);
        LocalCommands.AddTo(root);
        RelayCommands.AddTo(root);
        root.Subcommands.Add(ErrorQueues.Create());
        root.Subcommands.Add(Agent.AgentCommand.Create());
        var help = new Command("help", "show this help") { Hidden = true };
        help.SetAction(_ => root.Parse("--help").Invoke());
        root.Subcommands.Add(help);
        return root;
    }

    /// <summary>A command with --json whose failures become exit codes and problems (<see cref="Output"/>).</summary>
    public static Command Define(string name, string description, Func<ParseResult, Output, CancellationToken, Task<int>> action, string? label = null)
    {
        var command = new Command(name, description);
        var json = new Option<bool>("--json") { Description = "machine-readable output: one JSON document on standard output / JSON で出力" };
        command.Options.Add(json);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var output = new Output(label ?? name, parsed.GetValue(json));
            try
            {
                return await action(parsed, output, cancellationToken);
            }
            catch (CliException failure)
            {
                return output.Failed(failure);
            }
            catch (HttpRequestException exception)
            {
                return output.Failed(new CliException("unreachable", $"cannot reach the relay: {exception.Message}", "中継に接続できません。"));
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return output.Failed(new CliException("unreachable", "the relay did not answer in time.", "中継が時間内に応答しませんでした。"));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or JsonException)
            {
                return output.Failed(new CliException("file", exception.Message, $"ファイルまたは証明書を使えません: {exception.Message}"));
            }
        });
        return command;
    }

    /// <summary>Exit 2 with System.CommandLine's errors and suggestions (and the help); with --json, one problem in both languages.</summary>
    static int UsageError(RootCommand root, string[] args, ParseResult parsed)
    {
        if (!args.Contains("--json"))
        {
            parsed.Invoke();
            return 2;
        }
        var english = InCulture("en", () => string.Join(" ", root.Parse(args).Errors.Select(e => e.Message)));
        var japanese = InCulture("ja-JP", () => string.Join(" ", root.Parse(args).Errors.Select(e => e.Message)).Replace("。.", "。"));
        Console.Out.WriteLine(JsonSerializer.Serialize(new CliProblem("usage", english, japanese, null), Output.JsonOptions));
        return 2;
    }

    static T InCulture<T>(string culture, Func<T> work)
    {
        var current = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return work();
        }
        finally
        {
            CultureInfo.CurrentUICulture = current;
        }
    }
}
