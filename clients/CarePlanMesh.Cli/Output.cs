using System.Text.Encodings.Web;
using System.Text.Json;

namespace CarePlanMesh.Cli;

/// <summary>
/// What a command prints. Without --json: results for people on standard output, refusals and errors on standard error.
/// With --json: exactly one JSON document on standard output, the relay's body, a structured result or a problem
/// (RFC 9457 with titleJa/detailJa), and the exit code unchanged (0 ok, 1 refused or failed, 2 usage).
/// </summary>
public sealed class Output(string command, bool json)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public bool Json => json;

    /// <summary>Progress bars only for a person watching: standard output is a terminal and no --json.</summary>
    public bool Interactive => !json && !Console.IsOutputRedirected;

    /// <summary>A JSON body (the relay's answer): printed as it came, indented.</summary>
    public void Document(string body) => Console.Out.WriteLine(Pretty(body));

    /// <summary>A result: <paramref name="value"/> as JSON with --json, otherwise the lines for people.</summary>
    public void Result(object value, params IEnumerable<string> lines)
    {
        if (json)
            Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
        else
            foreach (var line in lines)
                Console.Out.WriteLine(line);
    }

    /// <summary>A line for the person watching on standard error, `cpm COMMAND: …`; nothing with --json (its standard error stays empty).</summary>
    public void Note(string line)
    {
        if (!json)
            Console.Error.WriteLine($"cpm {command}: {line}");
    }

    /// <summary>The relay refused: its problem document (stdout with --json, otherwise the status line and body on stderr); exit 1.</summary>
    public async Task<int> Refused(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!json)
        {
            Console.Error.WriteLine($"{(int)response.StatusCode} {response.ReasonPhrase}");
            Console.Error.WriteLine(Pretty(body));
        }
        else if (IsJsonObject(body))
            Console.Out.WriteLine(Pretty(body));
        else
            Console.Out.WriteLine(JsonSerializer.Serialize(new CliProblem("http-status", $"The relay answered {(int)response.StatusCode} {response.ReasonPhrase}.",
                $"中継が {(int)response.StatusCode} を返しました。", (int)response.StatusCode), JsonOptions));
        return 1;
    }

    /// <summary>A failure of cpm's own (usage, a file, the network): a problem with --json, otherwise one line on stderr.</summary>
    public int Failed(CliException failure)
    {
        if (json)
            Console.Out.WriteLine(JsonSerializer.Serialize(new CliProblem(failure.Reason, failure.Message, failure.Japanese, null), JsonOptions));
        else
            Note(failure.Message);
        return failure.ExitCode;
    }

    public static string Pretty(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return "";
        try
        {
            using var document = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(document.RootElement, JsonOptions);
        }
        catch (JsonException)
        {
            return body;
        }
    }

    static bool IsJsonObject(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>cpm's own problems: type urn:careplanmesh:cpm:&lt;reason&gt; (docs/cli.md lists the reasons).</summary>
public sealed record CliProblem(string Type, string Title, string TitleJa, string Detail, string DetailJa,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? Status)
{
    public CliProblem(string reason, string english, string japanese, int? status)
        : this($"urn:careplanmesh:cpm:{reason}", Titles(reason).En, Titles(reason).Ja, english, japanese, status)
    {
    }

    static (string En, string Ja) Titles(string reason) => reason switch
    {
        "usage" => ("The command line is not valid.", "コマンドの指定が正しくありません。"),
        "unreachable" => ("The relay cannot be reached.", "中継に接続できません。"),
        "broker" => ("The broker refused or cannot be reached.", "メッセージブローカーに接続できないか、拒否されました。"),
        "package" => ("The sealed package cannot be opened.", "封かんされたパッケージを開けません。"),
        "http-status" => ("The relay refused the request.", "中継が要求を受け付けませんでした。"),
        "timeout" => ("The wait ended before the expected state.", "待機時間内に期待した状態になりませんでした。"),
        _ => ("A local file or certificate cannot be used.", "手元のファイルまたは証明書を使えません。"),
    };
}

/// <summary>A failure cpm reports itself, in English and Japanese, with its exit code (2: usage, 1: anything else).</summary>
public sealed class CliException(string reason, string english, string japanese, int exitCode = 1) : Exception(english)
{
    public string Reason => reason;
    public string Japanese => japanese;
    public int ExitCode => exitCode;

    public static CliException Usage(string english, string japanese) => new("usage", english, japanese, 2);
}
