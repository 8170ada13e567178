namespace CarePlanMesh.Cli.Agent;

/// <summary>
/// The agent's log: one line per event on standard output and in agent.log in the data folder. Lines carry ids, office
/// numbers, 連番 and counts only — never names, insured numbers or file content — and no exception text.
/// </summary>
public sealed class AgentLog(string dataFolder)
{
    readonly string _file = Path.Combine(dataFolder, "agent.log");
    readonly Lock _lock = new();

    public void Info(string message) => Write("info", message);

    public void Notice(string message) => Write("notice", message);

    public void Warn(string message) => Write("warn", message);

    void Write(string level, string message)
    {
        var line = $"{DateTimeOffset.Now:yyyy-MM-ddTHH:mm:ss.fffzzz} {level} {message}";
        lock (_lock)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
            File.AppendAllText(_file, line + Environment.NewLine);
        }
    }

    /// <summary>What went wrong in a form safe to log: the kind of failure and, for the relay, its status.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        RelayRefusedException refused => $"relay answered {refused.Status}",
        HttpRequestException { StatusCode: { } status } => $"relay answered {(int)status}",
        HttpRequestException => "relay not reachable",
        TaskCanceledException or OperationCanceledException => "relay did not answer in time",
        IOException or UnauthorizedAccessException => "file access failed",
        _ => exception.GetType().Name,
    };
}
