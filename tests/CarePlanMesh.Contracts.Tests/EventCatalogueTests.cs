using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarePlanMesh.Contracts;

namespace CarePlanMesh.Contracts.Tests;

public sealed class EventCatalogueTests
{
    /// <summary>Set to 1 to accept changed contracts: the tests then write the generated catalogue to docs/.</summary>
    const string AcceptVariable = "CAREPLANMESH_ACCEPT_EVENTS";

    static string Docs(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CarePlanMesh.sln")))
                return Path.Combine(dir.FullName, "docs", name);
        throw new InvalidOperationException("CarePlanMesh.sln not found above the test output folder.");
    }

    static string Committed(string name, string generated)
    {
        var path = Docs(name);
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
            File.WriteAllText(path, generated);
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    [Fact]
    public void The_committed_events_page_is_the_one_the_contracts_generate()
    {
        var generated = EventCatalogue.Markdown();
        Assert.True(generated == Committed("events.md", generated),
            $"docs/events.md differs from what contracts/ generate; review the change, then run this test with {AcceptVariable}=1 and commit the diff.");
    }

    [Fact]
    public void The_committed_asyncapi_document_is_the_one_the_contracts_generate()
    {
        var generated = EventCatalogue.AsyncApi().ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";
        var committed = Committed("asyncapi.json", generated);
        Assert.True(committed.Length > 0 && JsonNode.DeepEquals(JsonNode.Parse(generated), JsonNode.Parse(committed)),
            $"docs/asyncapi.json differs from what contracts/ generate; review the change, then run this test with {AcceptVariable}=1 and commit the diff.");
    }

    [Fact]
    public void Every_field_of_every_event_is_of_a_kind_that_names_no_person()
    {
        var unclassified = EventCatalogue.Events
            .SelectMany(type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
            .Where(property => EventCatalogue.Classify(property) is null)
            .Select(property => $"{property.DeclaringType!.Name}.{property.Name}")
            .ToList();
        Assert.True(unclassified.Count == 0,
            $"Fields of unknown kind: {string.Join(", ", unclassified)}. Check that they carry no personal data, then list them in EventCatalogue.TextFields.");
    }

    [Fact]
    public void The_catalogue_holds_the_submission_events_on_their_masstransit_exchanges()
    {
        var document = EventCatalogue.AsyncApi();
        Assert.Equal("3.0.0", document["asyncapi"]!.GetValue<string>());
        var received = document["channels"]!["SubmissionReceived"]!;
        Assert.Equal("CarePlanMesh.Contracts:SubmissionReceived", received["address"]!.GetValue<string>());
        var payload = document["components"]!["messages"]!["SubmissionReceived"]!["payload"]!;
        Assert.Equal("uuid", payload["properties"]!["submissionId"]!["format"]!.GetValue<string>());
        Assert.Contains(payload["required"]!.AsArray(), f => f!.GetValue<string>() == "senderOffice");
        Assert.DoesNotContain(payload["required"]!.AsArray(), f => f!.GetValue<string>() == "serviceMonth");
        Assert.Contains(typeof(SubmissionCompleted), EventCatalogue.Events);
        Assert.DoesNotContain(typeof(ValidateSubmission), EventCatalogue.Events);
    }
}
