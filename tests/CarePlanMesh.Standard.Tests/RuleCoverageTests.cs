using System.Text.RegularExpressions;

namespace CarePlanMesh.Standard.Tests;

/// <summary>Every rule id the library can report has a test that names it: a new rule without one fails here.</summary>
public sealed partial class RuleCoverageTests
{
    // Rule ids are "area.name" in lower case; "table7.30" (a length-override key) is not one.
    [GeneratedRegex("\"([a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*)\"")]
    private static partial Regex RuleId();

    static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "CarePlanMesh.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("CarePlanMesh.sln not found above the test output.");
    }

    static HashSet<string> Ids(string folder, Func<string, bool> include) =>
    [
        .. Directory.EnumerateFiles(Path.Combine(Root(), folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && include(f))
            .SelectMany(f => RuleId().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)),
    ];

    [Fact]
    public void Every_rule_of_the_library_is_named_by_a_test()
    {
        var rules = Ids("libs/Standard", _ => true);
        var tested = Ids("tests/CarePlanMesh.Standard.Tests", f => !f.EndsWith(nameof(RuleCoverageTests) + ".cs", StringComparison.Ordinal));

        Assert.True(rules.Count >= 60, $"only {rules.Count} rule ids found");
        Assert.Empty(rules.Where(r => !tested.Contains(r)).Order());
    }
}
