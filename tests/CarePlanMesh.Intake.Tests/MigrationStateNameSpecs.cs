using System.Text.RegularExpressions;
using CarePlanMesh.Intake.Submissions.StateMachines;

namespace CarePlanMesh.Intake.Tests;

/// <summary>SQL that a migration fixes for good (a trigger) cannot use <see cref="SubmissionStates"/>: its state literals must match them.</summary>
public sealed partial class MigrationStateNameSpecs
{
    [Fact]
    public void Every_state_the_migrations_compare_with_should_be_one_of_the_machines_states()
    {
        var assembly = typeof(SubmissionStates).Assembly;
        var compared = assembly.GetManifestResourceNames()
            .Where(name => name.EndsWith(".sql", StringComparison.Ordinal))
            .SelectMany(name =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                return StateLiteral().Matches(reader.ReadToEnd()).Select(match => (Migration: name, State: match.Groups["state"].Value));
            })
            .ToList();

        // The office events trigger (0010) announces a delivery when the row enters AwaitingPickup.
        Assert.Contains(compared, c => c.Migration.EndsWith("0010_office_events.sql", StringComparison.Ordinal) && c.State == SubmissionStates.AwaitingPickup);
        Assert.All(compared, c => Assert.Contains(c.State, SubmissionStates.All));
    }

    [GeneratedRegex(@"current_state\s*(?:=|<>|!=)\s*'(?<state>[^']*)'")]
    private static partial Regex StateLiteral();
}
