using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The machine-readable contract (issue #11 §5–§6): the generated OpenAPI document, its committed copy, the problem types' documentation.</summary>
[Collection(MeshCollection.Name)]
public sealed class ApiContractTests(MeshFixture mesh)
{
    /// <summary>Set to 1 to accept a changed contract: the test then writes the generated document to docs/openapi.json.</summary>
    const string AcceptVariable = "CAREPLANMESH_ACCEPT_OPENAPI";

    static string Docs(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CarePlanMesh.sln")))
                return Path.Combine(dir.FullName, "docs", name);
        throw new InvalidOperationException("CarePlanMesh.sln not found above the test output folder.");
    }

    async Task<JsonNode> Generated()
    {
        using var anonymous = mesh.ClientFor(null);
        var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task The_committed_openapi_document_is_the_one_the_endpoints_generate()
    {
        var generated = await Generated();
        var committed = Docs("openapi.json");
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
            await File.WriteAllTextAsync(committed, generated.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");

        Assert.True(JsonNode.DeepEquals(generated, JsonNode.Parse(await File.ReadAllTextAsync(committed))),
            $"docs/openapi.json differs from the document the endpoints generate; review the change, then run this test with {AcceptVariable}=1 and commit the diff.");
    }

    [Fact]
    public async Task The_document_is_openapi_3_1_with_both_security_schemes_the_paged_lists_and_every_problem_type()
    {
        var document = await Generated();

        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>());
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("mutualTLS", schemes["officeCertificate"]!["type"]!.GetValue<string>());
        Assert.Equal("bearer", schemes["staffToken"]!["scheme"]!.GetValue<string>());
        var list = document["paths"]!["/v1/submissions"]!["get"]!;
        var parameters = list["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["state", "recipientOffice", "serviceMonth", "since", "until", "limit", "cursor"], parameters, StringComparer.OrdinalIgnoreCase);
        Assert.NotNull(list["responses"]!["200"]!["content"]!["application/json"]!["schema"]);
        Assert.NotNull(document["paths"]!["/v1/mailbox"]!["get"]!["responses"]!["200"]);
        Assert.NotNull(document["paths"]!["/v1/submissions"]!["post"]!["requestBody"]!["content"]!["multipart/form-data"]);
        Assert.Equal("application/problem+json", list["responses"]!["400"]!["content"]!.AsObject().Single().Key);
        Assert.Contains(document["x-problem-types"]!.AsArray(), p => p!["type"]!.GetValue<string>() == "urn:careplanmesh:problem:invalid-query");
    }

    [Fact]
    public async Task Every_operation_describes_its_success_response_and_request_body_with_a_schema()
    {
        var document = await Generated();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => (Name: $"{operation.Key.ToUpperInvariant()} {path.Key}", Operation: operation.Value!)))
            .ToList();

        // A schema says something: a type, or a reference to a component that has properties or a type.
        bool Described(JsonNode? schema) =>
            schema?["$ref"]?.GetValue<string>() is { } reference
                ? schemas[reference["#/components/schemas/".Length..]] is { } component && (component["properties"] is not null || component["type"] is not null)
                : schema?["type"] is not null;

        var undescribed = new List<string>();
        foreach (var (name, operation) in operations)
        {
            var successes = operation["responses"]!.AsObject().Where(response => response.Key.StartsWith('2')).ToList();
            if (successes.Count == 0)
                undescribed.Add($"{name}: no success response");
            foreach (var (status, response) in successes)
            {
                if (status == "204")
                    continue;
                var content = response!["content"]?.AsObject();
                if (content is null || content.Count == 0 || content.Any(media => !Described(media.Value!["schema"])))
                    undescribed.Add($"{name}: {status} without a schema");
            }
            if (operation["requestBody"]?["content"]?.AsObject() is { } body && (body.Count == 0 || body.Any(media => !Described(media.Value!["schema"]))))
                undescribed.Add($"{name}: request body without a schema");
        }

        Assert.True(operations.Count >= 30, $"only {operations.Count} operations in the document");
        Assert.Empty(undescribed);
        // The file downloads say what they are.
        Assert.Equal("text/csv", document["paths"]!["/v1/admin/billing"]!["get"]!["responses"]!["200"]!["content"]!.AsObject().Single().Key);
        Assert.Equal("text/event-stream", document["paths"]!["/v1/events"]!["get"]!["responses"]!["200"]!["content"]!.AsObject().Single().Key);
    }

    [Fact]
    public async Task Every_problem_type_has_its_section_in_docs_api_md()
    {
        var document = await Generated();
        var headings = Regex.Matches(await File.ReadAllTextAsync(Docs("api.md")), @"^### `?([a-z-]+)`?\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();

        var types = document["x-problem-types"]!.AsArray().Select(p => p!["type"]!.GetValue<string>()["urn:careplanmesh:problem:".Length..]).ToList();

        Assert.NotEmpty(types);
        Assert.All(types, reason => Assert.Contains(reason, headings));
    }

    [Fact]
    public async Task The_api_reference_page_is_served_at_docs()
    {
        using var anonymous = mesh.ClientFor(null);

        var page = await anonymous.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("CarePlanMesh office API", html);
        // The page's script is served by intake itself: the reference works without reaching the internet.
        var scripts = Regex.Matches(html, @"<script[^>]+src=""([^""]+)""").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(new Uri(mesh.BaseAddress, "/docs/"), script))).StatusCode);
    }
}
