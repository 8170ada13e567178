namespace CarePlanMesh.Cli;

/// <summary>`--name value` options and positional arguments; environment variables CPM_URL, CPM_OFFICE, CPM_CA as defaults.</summary>
public sealed class Options
{
    readonly Dictionary<string, string> _named = new(StringComparer.Ordinal);
    readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public static Options Parse(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var options = new Options();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                options.Positional.Add(arg);
            else if (flags.Contains(arg))
                options._flags.Add(arg);
            else if (e.MoveNext())
                options._named[arg] = e.Current;
            else
                throw new UsageException($"{arg} needs a value.");
        }
        return options;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Get(string name, string? environment = null, string? fallback = null) =>
        _named.TryGetValue(name, out var value) ? value
        : environment is not null && Environment.GetEnvironmentVariable(environment) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : fallback;

    public string Required(string name, string? environment = null) =>
        Get(name, environment) ?? throw new UsageException($"{name} is required{(environment is null ? "" : $" (or set {environment})")}.");
}

public sealed class UsageException(string message) : Exception(message);
