using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CarePlanMesh.Contracts.Tests;

/// <summary>
/// docker-compose.yml and deploy/kubernetes against the local run (deploy/local) and the code: they parse, they name only
/// settings a program reads, they use the local run's ports, and every Deployment has its autoscaler and disruption budget.
/// </summary>
public sealed class DeploymentManifestTests
{
    static readonly string Root = RepositoryRoot();
    static readonly string KubernetesFolder = Path.Combine(Root, "deploy", "kubernetes");

    static IEnumerable<(string File, YamlMappingNode Document)> KubernetesDocuments() =>
        Directory.GetFiles(KubernetesFolder, "*.yaml").Order().SelectMany(file => Load(file).Select(document => (Path.GetFileName(file), document)));

    static YamlMappingNode Compose() => Load(Path.Combine(Root, "docker-compose.yml")).Single();

    [Fact]
    public void Every_Kubernetes_document_names_its_api_kind_and_name()
    {
        var documents = KubernetesDocuments().ToList();
        Assert.NotEmpty(documents);
        foreach (var (file, document) in documents)
        {
            Assert.True(document.Children.ContainsKey("apiVersion"), $"{file}: a document without apiVersion");
            Assert.True(document.Children.ContainsKey("kind"), $"{file}: a document without kind");
            Assert.False(string.IsNullOrEmpty(Scalar(document, "metadata", "name")), $"{file}: a {Scalar(document, "kind")} without a name");
        }
    }

    [Fact]
    public void Every_setting_the_deployments_give_is_one_a_program_reads()
    {
        var code = string.Join("\n", new[] { "services", "frontdoor", "libs" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(File.ReadAllText));
        var local = File.ReadAllText(Path.Combine(Root, "deploy", "local", "up"));
        var names = KubernetesDocuments().SelectMany(d => Containers(d.Document)).SelectMany(c => Sequence(c, "env")).Select(e => Scalar(e, "name")!)
            .Concat(ComposeEnvironments().SelectMany(e => e.Children.Keys.Select(k => ((YamlScalarNode)k).Value!)))
            .Concat(Regex.Matches(local, @"(?:\s|"")([A-Za-z]+__[A-Za-z0-9_${}]+)=").Select(m => m.Groups[1].Value))
            .Where(name => name.Contains("__"))
            .Distinct()
            .ToList();

        Assert.Contains("FrontDoor__Intake__intake__Address", names);
        var unread = names.Where(name => !IsRead(code, name.Split("__"))).ToList();
        Assert.True(unread.Count == 0, $"Settings no program reads: {string.Join(", ", unread)}");
    }

    [Fact]
    public void Compose_and_Kubernetes_use_the_management_ports_of_the_local_run()
    {
        var lib = File.ReadAllText(Path.Combine(Root, "deploy", "local", "lib.sh"));
        var ports = Regex.Matches(lib, @"""([a-z-]+):[A-Za-z]+:(\d+)""").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        ports["front-door"] = Regex.Match(lib, @"CAREPLANMESH_FRONT_DOOR_PORT:-(\d+)").Groups[1].Value;
        Assert.Equal(7, ports.Count);

        var compose = (YamlMappingNode)Compose().Children["services"];
        var deployments = KubernetesDocuments().Where(d => Scalar(d.Document, "kind") == "Deployment").ToDictionary(d => Scalar(d.Document, "metadata", "name")!, d => d.Document);
        foreach (var (name, port) in ports)
        {
            var composeEnvironment = (YamlMappingNode)((YamlMappingNode)compose.Children[name]).Children["environment"];
            Assert.EndsWith($":{port}", ((YamlScalarNode)composeEnvironment.Children["ASPNETCORE_URLS"]).Value);
            var container = Containers(deployments[name]).Single();
            Assert.EndsWith($":{port}", Sequence(container, "env").Single(e => Scalar(e, "name") == "ASPNETCORE_URLS").Children[new YamlScalarNode("value")].ToString());
        }
    }

    [Fact]
    public void Every_Deployment_has_an_autoscaler_and_a_disruption_budget()
    {
        var documents = KubernetesDocuments().Select(d => d.Document).ToList();
        var deployments = documents.Where(d => Scalar(d, "kind") == "Deployment").Select(d => Scalar(d, "metadata", "name")).Order().ToList();
        Assert.Contains("front-door", deployments);
        Assert.Equal(deployments, documents.Where(d => Scalar(d, "kind") == "HorizontalPodAutoscaler").Select(d => Scalar(d, "spec", "scaleTargetRef", "name")).Order());
        Assert.Equal(deployments, documents.Where(d => Scalar(d, "kind") == "PodDisruptionBudget")
            .Select(d => Scalar(d, "spec", "selector", "matchLabels", "app.kubernetes.io/name")).Order());
    }

    [Fact]
    public void The_front_door_reaches_intake_from_an_address_intake_trusts()
    {
        var services = (YamlMappingNode)Compose().Children["services"];
        var frontDoor = (YamlMappingNode)services.Children["front-door"];
        var address = Scalar(frontDoor, "networks", "default", "ipv4_address");
        Assert.Equal(address, Scalar(services.Children["intake"], "environment", "Intake__TrustedProxies__0"));
        Assert.Equal("https://intake:7444", Scalar(frontDoor, "environment", "FrontDoor__Intake__intake__Address"));
        Assert.Equal("https://0.0.0.0:7444", Scalar(services.Children["intake"], "environment", "Intake__PublicUrl"));

        // Kubernetes: the front door's destination is intake's headless Service, on intake's public port.
        var documents = KubernetesDocuments().Select(d => d.Document).ToList();
        var headless = documents.Single(d => Scalar(d, "kind") == "Service" && Scalar(d, "spec", "clusterIP") == "None");
        var frontDoorContainer = Containers(documents.Single(d => Scalar(d, "kind") == "Deployment" && Scalar(d, "metadata", "name") == "front-door")).Single();
        var destination = new Uri(EnvValue(frontDoorContainer, "FrontDoor__Intake__intake__Address"));
        Assert.Equal(Scalar(headless, "metadata", "name"), destination.Host);
        var intake = Containers(documents.Single(d => Scalar(d, "kind") == "Deployment" && Scalar(d, "metadata", "name") == "intake")).Single();
        Assert.Equal(new Uri(EnvValue(intake, "Intake__PublicUrl")).Port, destination.Port);
        Assert.Contains("/", EnvValue(intake, "Intake__TrustedProxies__0"));
    }

    [Fact]
    public void Every_long_running_compose_service_is_started_again_when_it_exits()
    {
        var services = (YamlMappingNode)Compose().Children["services"];
        foreach (var (key, value) in services.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            var restart = Restart((YamlMappingNode)value);
            if (name == "demo-pki")
            {
                // A one-off job: it runs to completion once.
                Assert.Null(restart);
                continue;
            }
            Assert.True(restart is "on-failure" or "unless-stopped", $"docker-compose.yml: {name} has restart: {restart ?? "(none)"}");
        }
        // The mesh's own processes exit with code 3 when their watchdog gives up on an endpoint: that must start them again.
        foreach (var name in new[] { "intake", "validation", "crypto", "routing", "notification", "billing-reconciliation", "front-door" })
            Assert.Equal("on-failure", Restart((YamlMappingNode)services.Children[name]));
    }

    /// <summary>A compose service's restart policy, its own or the one it merges in (<c>&lt;&lt;: *service</c>).</summary>
    static string? Restart(YamlMappingNode service) =>
        service.Children.TryGetValue("restart", out var own) ? ((YamlScalarNode)own).Value
        : service.Children.TryGetValue("<<", out var merged) && merged is YamlMappingNode shared && shared.Children.TryGetValue("restart", out var inherited)
            ? ((YamlScalarNode)inherited).Value
            : null;

    /// <summary>A setting Section__Key… is read when the code names "Section:Key", binds section Section to a class with a property Key, or reads the connection string Key.</summary>
    static bool IsRead(string code, string[] parts) =>
        parts[0] == "ConnectionStrings"
            ? code.Contains($"GetConnectionString(\"{parts[1]}\")")
            : code.Contains($"\"{parts[0]}:{parts[1]}") ||
              (code.Contains($"GetSection(\"{parts[0]}\")") && Regex.IsMatch(code, $@"public [^\n]+ {Regex.Escape(parts[1])} {{ get;"));

    static IEnumerable<YamlMappingNode> ComposeEnvironments()
    {
        var compose = Compose();
        var shared = (YamlMappingNode)compose.Children["x-service"];
        yield return (YamlMappingNode)shared.Children["environment"];
        foreach (var service in ((YamlMappingNode)compose.Children["services"]).Children.Values.Cast<YamlMappingNode>())
            if (service.Children.TryGetValue("environment", out var environment) && environment is YamlMappingNode mapping)
                yield return mapping;
    }

    static IEnumerable<YamlMappingNode> Containers(YamlMappingNode document)
    {
        var spec = Scalar(document, "kind") == "Job" || Scalar(document, "kind") == "Deployment"
            ? (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)document.Children["spec"]).Children["template"]).Children["spec"]
            : null;
        return spec is null ? [] : Sequence(spec, "containers");
    }

    static string EnvValue(YamlMappingNode container, string name) =>
        ((YamlScalarNode)Sequence(container, "env").Single(e => Scalar(e, "name") == name).Children[new YamlScalarNode("value")]).Value!;

    static IEnumerable<YamlMappingNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlSequenceNode sequence ? sequence.Children.Cast<YamlMappingNode>() : [];

    static string? Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(key, out var child))
                return null;
            node = child;
        }
        return (node as YamlScalarNode)?.Value;
    }

    static List<YamlMappingNode> Load(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
            stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CarePlanMesh.sln")))
                return dir.FullName;
        throw new InvalidOperationException("CarePlanMesh.sln not found above the test output folder.");
    }
}
