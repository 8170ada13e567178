using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The Prometheus text the services serve on their management ports at /metrics, as the tests read it.</summary>
public static partial class Metrics
{
    /// <summary>The services' expositions one after the other: replicas' series add up in <see cref="Value"/>.</summary>
    public static async Task<string> Scrape(MeshFixture mesh, params string[] services) =>
        string.Join("\n", await Task.WhenAll(services.Select(async service =>
        {
            using var http = new HttpClient { BaseAddress = mesh.Management[service] };
            using var response = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
            return await response.Content.ReadAsStringAsync();
        })));

    /// <summary>The sum over the series of <paramref name="name"/> whose labels include every one given; -1 when there is none.</summary>
    public static double Value(string exposition, string name, params (string Label, string Value)[] labels)
    {
        var series = exposition.Split('\n')
            .Select(line => Sample().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == name)
            .Where(m => labels.All(l => m.Groups["labels"].Value.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))
            .ToList();
        return series.Count == 0 ? -1 : series.Sum();
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)( \d+)?$")]
    private static partial Regex Sample();
}
