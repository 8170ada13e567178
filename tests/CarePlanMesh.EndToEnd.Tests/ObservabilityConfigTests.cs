using System.Text.Json;
using System.Text.RegularExpressions;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The observability stack of docker-compose.yml (deploy/observability) stays in step with the mesh: Prometheus scrapes
/// every service's management port, and the committed Grafana dashboard shows exactly the series docs/operations.md lists.
/// </summary>
public sealed partial class ObservabilityConfigTests
{
    static string Read(params string[] path)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "CarePlanMesh.sln")))
            root = root.Parent ?? throw new InvalidOperationException("CarePlanMesh.sln not found above the test output folder.");
        return File.ReadAllText(Path.Combine([root.FullName, .. path]));
    }

    [Fact]
    public void Prometheus_scrapes_the_management_port_of_every_service_in_docker_compose()
    {
        var prometheus = Read("deploy", "observability", "prometheus.yml");
        var service = "";
        var scraped = new List<string>();
        foreach (var line in Read("docker-compose.yml").Split('\n'))
        {
            if (ComposeService().Match(line) is { Success: true } name)
                service = name.Groups[1].Value;
            else if (ManagementUrl().Match(line) is { Success: true } port)
            {
                scraped.Add(service);
                Assert.Contains($"\"{service}:{port.Groups[1].Value}\"", prometheus);
            }
        }
        // The six services and the front door: every process of the mesh that serves /metrics.
        Assert.Equal(["billing-reconciliation", "crypto", "front-door", "intake", "notification", "routing", "validation"], scraped.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_dashboard_shows_every_series_of_the_operations_guide_and_no_other()
    {
        var dashboard = Read("deploy", "observability", "grafana", "dashboards", "careplanmesh.json");
        var queried = JsonDocument.Parse(dashboard).RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .SelectMany(expr => Series().Matches(expr).Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", "")))
            .ToHashSet();
        var documented = MetricsTableRow().Matches(Read("docs", "operations.md")).Select(m => m.Groups[1].Value).ToHashSet();

        Assert.NotEmpty(documented);
        Assert.Equal(documented.Order(), queried.Order());
        var datasources = Read("deploy", "observability", "grafana", "provisioning", "datasources", "datasources.yaml");
        Assert.Contains("uid: prometheus", datasources);
        Assert.Contains("uid: jaeger", datasources);
    }

    [GeneratedRegex(@"^  ([a-z][a-z0-9-]*):\s*$")]
    private static partial Regex ComposeService();

    [GeneratedRegex(@"ASPNETCORE_URLS: http://0\.0\.0\.0:(\d+)")]
    private static partial Regex ManagementUrl();

    [GeneratedRegex(@"careplanmesh_[a-z_]+")]
    private static partial Regex Series();

    [GeneratedRegex(@"^\| `(careplanmesh_[a-z_]+)[`{]", RegexOptions.Multiline)]
    private static partial Regex MetricsTableRow();
}
