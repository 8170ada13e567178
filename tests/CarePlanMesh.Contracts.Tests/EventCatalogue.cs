using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using CarePlanMesh.Contracts;
using MassTransit;

namespace CarePlanMesh.Contracts.Tests;

/// <summary>
/// docs/events.md and docs/asyncapi.json, generated from the events in contracts/ (<see cref="PublishedEventAttribute"/>):
/// exchange, fields and types from the types themselves, descriptions from their XML documentation, and for every field
/// what kind of data it is — the basis of the guarantee that no event carries personal data.
/// </summary>
public static class EventCatalogue
{
    /// <summary>What a string field may hold. Every string field of an event must be listed here, after checking it names no person.</summary>
    public static readonly IReadOnlyDictionary<string, string> TextFields = new Dictionary<string, string>
    {
        ["SenderOffice"] = Office, ["RecipientOffice"] = Office, ["Office"] = Office, ["OfficeNumber"] = Office,
        ["RequesterOffice"] = Office, ["PartnerOffice"] = Office, ["ChangedBy"] = Office, ["CareOffice"] = Office, ["ProviderOffice"] = Office,
        ["SendUnit"] = "code: the 14-digit ファイル連番 (a timestamp the sender's software chose)",
        ["LatestSendUnit"] = "code: a 14-digit ファイル連番",
        ["ServiceMonth"] = "code: the service month, yyyyMM",
        ["FileKinds"] = "codes: the standard's file kinds (e.g. UPSIKYU)",
        ["ServiceTypes"] = "codes: the office's service types (2 digits)",
        ["RuleIds"] = "codes: validation rule ids",
        ["Kind"] = "code", ["State"] = "code: a state name", ["FromState"] = "code: a state name", ["Step"] = "code: a state name",
        ["Topic"] = "code: a notification topic", ["Channel"] = "code: a notification channel",
        ["Reason"] = "code: a reason id",
        ["ReasonJa"] = "text written by the relay from a fixed set (no content of the files)",
        ["ReasonEn"] = "text written by the relay from a fixed set (no content of the files)",
        ["Thumbprint"] = "digest: a certificate's SHA-1 thumbprint",
        ["SealedSha256"] = "digest: SHA-256 of the sealed (encrypted) package",
    };

    const string Office = "office number: the 10-digit 事業所番号 of a care business, public in the directory — not a person";
    const string ClaimCheck = "claim-check reference: an address in the claim-check store (content encrypted at rest, never in the message)";

    public static IReadOnlyList<Type> Events { get; } = [.. typeof(PublishedEventAttribute).Assembly.GetExportedTypes()
        .Where(t => t.GetCustomAttribute<PublishedEventAttribute>() is not null)
        .OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>The RabbitMQ exchange MassTransit publishes a message type to (its default entity name: namespace:name).</summary>
    public static string Exchange(Type type) => $"{type.Namespace}:{type.Name}";

    static IEnumerable<PropertyInfo> Fields(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract").OrderBy(p => p.MetadataToken);

    static string CamelCase(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    static bool Nullable(PropertyInfo property) =>
        System.Nullable.GetUnderlyingType(property.PropertyType) is not null || new NullabilityInfoContext().Create(property).ReadState == NullabilityState.Nullable;

    /// <summary>The kind of data a field holds; null for a string field nobody has classified yet.</summary>
    public static string? Classify(PropertyInfo property)
    {
        var type = System.Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type == typeof(string) || typeof(IEnumerable<string>).IsAssignableFrom(type))
            return TextFields.GetValueOrDefault(property.Name);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(MessageData<>)) return ClaimCheck;
        if (type == typeof(Guid)) return "identifier";
        if (type == typeof(DateTimeOffset) || type == typeof(DateOnly)) return "time";
        if (type == typeof(int) || type == typeof(long)) return "count or amount";
        if (type == typeof(bool)) return "flag";
        return null;
    }

    static JsonObject Schema(PropertyInfo property)
    {
        var type = System.Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        JsonObject schema = type switch
        {
            _ when type == typeof(Guid) => new() { ["type"] = "string", ["format"] = "uuid" },
            _ when type == typeof(DateTimeOffset) => new() { ["type"] = "string", ["format"] = "date-time" },
            _ when type == typeof(DateOnly) => new() { ["type"] = "string", ["format"] = "date" },
            _ when type == typeof(int) => new() { ["type"] = "integer", ["format"] = "int32" },
            _ when type == typeof(long) => new() { ["type"] = "integer", ["format"] = "int64" },
            _ when type == typeof(bool) => new() { ["type"] = "boolean" },
            _ when type == typeof(string) => new() { ["type"] = "string" },
            _ when typeof(IEnumerable<string>).IsAssignableFrom(type) => new() { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(MessageData<>) => new()
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["data-ref"] = new JsonObject { ["type"] = "string", ["format"] = "uri" } },
            },
            _ => throw new InvalidOperationException($"{property.DeclaringType!.Name}.{property.Name}: no schema for {type.Name}; add it to the catalogue."),
        };
        if (Nullable(property))
            schema["type"] = new JsonArray(schema["type"]!.GetValue<string>(), "null");
        if (Documentation.Member(property) is { Length: > 0 } summary)
            schema["description"] = summary;
        schema["x-data-kind"] = Classify(property);
        return schema;
    }

    public static string Markdown()
    {
        var text = new StringBuilder();
        text.Append("""
            # Event catalogue

            Generated from `contracts/CarePlanMesh.Contracts` (types marked `[PublishedEvent]`) by
            `tests/CarePlanMesh.Contracts.Tests`; a test fails when this page or `docs/asyncapi.json` differs from what the
            contracts say. Do not edit by hand: change the contract, then run the test with `CAREPLANMESH_ACCEPT_EVENTS=1`.

            Every event is published by MassTransit to a RabbitMQ fan-out exchange named after its type (`namespace:Name`).
            To consume the stream, declare a queue of your own and bind it to the exchanges you want
            (`examples/analytics` does, and keeps daily counts in a schema of its own). Bodies are MassTransit's JSON
            envelope (`application/vnd.masstransit+json`): the event is its `message` property, with camelCase field names.
            Delivery is at least once: deduplicate by the envelope's `messageId`.

            **No personal data.** No event carries the name, insured number, address or any other datum of a care
            recipient or of a care worker, nor any content of the files: every field is an identifier, a time, a count, a
            code, a digest, an office number (the public 事業所番号 of a care business, not of a person), relay-written
            reason text, or a claim-check reference whose content is encrypted in the store and never in the message. The
            kind of every field is in the tables below; the catalogue's test fails when a text field is added without one.

            | event | publisher | exchange |
            |---|---|---|

            """);
        foreach (var type in Events)
            text.Append($"| [{type.Name}](#{type.Name.ToLowerInvariant()}) | {type.GetCustomAttribute<PublishedEventAttribute>()!.Publisher} | `{Exchange(type)}` |\n");
        foreach (var type in Events)
        {
            text.Append($"\n## {type.Name}\n\n");
            text.Append($"Published by {type.GetCustomAttribute<PublishedEventAttribute>()!.Publisher} to `{Exchange(type)}`.");
            text.Append(Documentation.Type(type) is { Length: > 0 } when ? $" {when}\n\n" : "\n\n");
            text.Append("| field | type | data | description |\n|---|---|---|---|\n");
            foreach (var property in Fields(type))
            {
                var schema = Schema(property);
                var jsonType = schema["type"] is JsonArray types ? string.Join(" or ", types.Select(t => t!.GetValue<string>())) : schema["type"]!.GetValue<string>();
                var format = schema["format"] is { } f ? $" ({f.GetValue<string>()})" : schema["items"] is { } items ? $" of {items["type"]!.GetValue<string>()}" : "";
                text.Append($"| `{CamelCase(property.Name)}` | {jsonType}{format} | {Classify(property)} | {Documentation.Member(property)?.Replace("|", "\\|")} |\n");
            }
        }
        return text.ToString();
    }

    public static JsonObject AsyncApi()
    {
        var channels = new JsonObject();
        var operations = new JsonObject();
        var messages = new JsonObject();
        foreach (var type in Events)
        {
            var properties = new JsonObject();
            foreach (var property in Fields(type))
                properties[CamelCase(property.Name)] = Schema(property);
            messages[type.Name] = new JsonObject
            {
                ["name"] = type.Name,
                ["title"] = type.Name,
                ["summary"] = Documentation.Type(type),
                ["contentType"] = "application/vnd.masstransit+json",
                ["x-publisher"] = type.GetCustomAttribute<PublishedEventAttribute>()!.Publisher,
                ["payload"] = new JsonObject
                {
                    ["type"] = "object",
                    ["description"] = "The envelope's `message` property.",
                    ["properties"] = properties,
                    ["required"] = new JsonArray([.. Fields(type).Where(p => !Nullable(p)).Select(p => (JsonNode)CamelCase(p.Name))]),
                },
            };
            channels[type.Name] = new JsonObject
            {
                ["address"] = Exchange(type),
                ["messages"] = new JsonObject { [type.Name] = new JsonObject { ["$ref"] = $"#/components/messages/{type.Name}" } },
                ["bindings"] = new JsonObject
                {
                    ["amqp"] = new JsonObject
                    {
                        ["is"] = "routingKey",
                        ["exchange"] = new JsonObject { ["name"] = Exchange(type), ["type"] = "fanout", ["durable"] = true, ["autoDelete"] = false, ["vhost"] = "/" },
                        ["bindingVersion"] = "0.3.0",
                    },
                },
            };
            operations[$"receive{type.Name}"] = new JsonObject
            {
                ["action"] = "receive",
                ["channel"] = new JsonObject { ["$ref"] = $"#/channels/{type.Name}" },
                ["messages"] = new JsonArray(new JsonObject { ["$ref"] = $"#/channels/{type.Name}/messages/{type.Name}" }),
            };
        }
        return new JsonObject
        {
            ["asyncapi"] = "3.0.0",
            ["info"] = new JsonObject
            {
                ["title"] = "CarePlanMesh events",
                ["version"] = "1.0.0",
                ["description"] = "Every event the mesh publishes (docs/events.md). No event carries personal data; see x-data-kind on each field.",
            },
            ["defaultContentType"] = "application/vnd.masstransit+json",
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new JsonObject { ["messages"] = messages },
        };
    }

    /// <summary>Summaries from the contracts' XML documentation file, one line each.</summary>
    static class Documentation
    {
        static readonly Dictionary<string, string> Summaries = Load();

        static Dictionary<string, string> Load()
        {
            var file = Path.ChangeExtension(typeof(PublishedEventAttribute).Assembly.Location, ".xml");
            return XDocument.Load(file).Descendants("member")
                .Where(m => m.Element("summary") is not null)
                .ToDictionary(m => m.Attribute("name")!.Value, m => Flatten(m.Element("summary")!));
        }

        static string Flatten(XElement summary) => string.Join(" ", string.Concat(summary.Nodes().Select(n => n switch
            {
                XElement { Name.LocalName: "see" } see => (see.Attribute("cref")?.Value.Split('.')[^1] ?? see.Value),
                XElement element => element.Value,
                XText t => t.Value,
                _ => "",
            }))
            .Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

        public static string? Type(Type type) => Summaries.GetValueOrDefault($"T:{type.FullName}");

        public static string? Member(PropertyInfo property) => Summaries.GetValueOrDefault($"P:{property.DeclaringType!.FullName}.{property.Name}");
    }
}
