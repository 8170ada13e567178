using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>What a notification (webhook body, e-mail, inbox row) may carry about the sample files' care recipients: nothing.</summary>
static class NotificationPrivacy
{
    /// <summary>
    /// No value of the sample files that could identify a care recipient (any field with non-ASCII text, any 10-digit number
    /// other than one of <paramref name="offices"/>) appears; JSON carries only the <paramref name="allowedDataKeys"/>.
    /// </summary>
    public static void AssertNoPersonalData(string text, IReadOnlySet<string> offices, IEnumerable<string> allowedDataKeys)
    {
        var personal = new[] { SampleFiles.Plan, SampleFiles.Table7, SampleFiles.Supplement, SampleFiles.Actual }
            .SelectMany(name => SampleFiles.Text(name).Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries))
            .SelectMany(line => line.Split(',').Select(f => f.Trim('"')))
            .Where(f => (f.Any(c => c > 127) && f.Length >= 2) || (f.Length == 10 && f.All(char.IsAsciiDigit) && !offices.Contains(f)))
            .Distinct();
        Assert.All(personal, value => Assert.DoesNotContain(value, text));
        if (text.StartsWith('{'))
            foreach (var property in Properties(JsonDocument.Parse(text).RootElement is var root && root.TryGetProperty("data", out var data) ? data : root))
                Assert.Contains(property, allowedDataKeys);
    }

    static IEnumerable<string> Properties(JsonElement element) => element.ValueKind == JsonValueKind.Object
        ? element.EnumerateObject().SelectMany(p => Properties(p.Value).Prepend(p.Name))
        : [];
}
