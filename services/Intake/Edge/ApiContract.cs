using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace CarePlanMesh.Intake.Edge;

/// <summary>
/// The public API's machine-readable contract (issue #11 §5): OpenAPI 3.1 generated from the /v1 endpoints at
/// /openapi/v1.json, with both security schemes (client certificate and staff bearer token), the problem responses and
/// every problem type; the reference page at /docs. docs/openapi.json is a committed copy a test keeps equal.
/// </summary>
public static class ApiContract
{
    /// <summary>The media type of sealed packages and signed receipts (CMS, DER): described as Stream, a binary body (a file download in a generated client).</summary>
    public const string Cms = "application/pkcs7-mime";

    public static WebApplicationBuilder AddApiContract(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.ShouldInclude = description => description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true;
            // A JsonElement (a notification's data) is described where it is used, as any object, not as a component of its own.
            options.CreateSchemaReferenceId = type => type.Type == typeof(System.Text.Json.JsonElement) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "CarePlanMesh office API",
                    Version = "v1",
                    Description = "The relay for the standard's care-plan CSV files (ケアプランデータ連携). Every call needs the office's client "
                        + "certificate (mutual TLS) and, except POST /v1/auth/token, a staff token as Authorization: Bearer. Refusals are RFC 9457 "
                        + "problems whose type is urn:careplanmesh:problem:<reason>; docs/api.md explains each reason (x-problem-types lists them).",
                };
                // The document is the same whichever address served it.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    ["officeCertificate"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.MutualTLS, Description = "The office's client certificate from the relay's CA; its CN is the 10-digit office number." },
                    ["staffToken"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "A token from POST /v1/auth/token, bound to the certificate it was issued on." },
                };
                document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
                document.Components.Schemas["Problem"] = ProblemSchema();
                document.Security = [Requirement(document, "officeCertificate", "staffToken")];
                document.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                document.Extensions["x-problem-types"] = new JsonNodeExtension(new JsonArray([.. ProblemTypes.All.Select(p => (JsonNode)new JsonObject
                {
                    ["type"] = ProblemTypes.Prefix + p.Reason,
                    ["status"] = p.Status,
                    ["title"] = p.Title,
                    ["docs"] = $"docs/api.md#{p.Reason}",
                })]));
                return Task.CompletedTask;
            });
            // Nulls are not written (JsonIgnoreCondition.WhenWritingNull): a property that may be null may be absent, so it is not
            // required. Done on the whole document, where nullable references have their final form (oneOf null or the reference).
            options.AddDocumentTransformer((document, _, _) =>
            {
                foreach (var schema in document.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
                    if (schema is { Required.Count: > 0, Properties: { } properties })
                        foreach (var name in schema.Required.Where(name => properties.TryGetValue(name, out var property) && MayBeNull(property)).ToList())
                            schema.Required.Remove(name);
                return Task.CompletedTask;
            });
            // Enums are written by name (JsonStringEnumConverter): say they are strings, so that generated clients read them as such.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (schema is { Type: null, Enum.Count: > 0 } && schema.Enum.All(value => value?.GetValueKind() == System.Text.Json.JsonValueKind.String))
                    schema.Type = JsonSchemaType.String;
                // The only JsonElement the API returns is a notification's data: a JSON object of ids and links.
                if (context.JsonTypeInfo.Type == typeof(System.Text.Json.JsonElement))
                    schema.Type = JsonSchemaType.Object;
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<CertificateOnly>().Any())
                    operation.Security = [Requirement(context.Document!, "officeCertificate")];
                // The upload is read by UploadForm (to answer a wrong content type with its own problem), so it is described here.
                if (context.Description.HttpMethod == "POST" && context.Description.RelativePath is "v1/submissions" or "v1/validate")
                    operation.RequestBody = Upload();
                operation.Responses ??= new OpenApiResponses();
                foreach (var status in new[] { "400", "401", "404", "429", "503" })
                    operation.Responses.TryAdd(status, Problem());
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    static bool MayBeNull(IOpenApiSchema property) =>
        property.Type?.HasFlag(JsonSchemaType.Null) == true || property.OneOf?.Any(option => option.Type == JsonSchemaType.Null) == true;

    static OpenApiSecurityRequirement Requirement(OpenApiDocument document, params string[] schemes)
    {
        var requirement = new OpenApiSecurityRequirement();
        foreach (var scheme in schemes)
            requirement[new OpenApiSecuritySchemeReference(scheme, document)] = [];
        return requirement;
    }

    static OpenApiRequestBody Upload() => new()
    {
        Required = true,
        Description = "The files of one send unit, named as the standard names them (a file signed by the office as <name>.p7m).",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["multipart/form-data"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "files" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["files"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                    },
                },
            },
        },
    };

    static OpenApiSchema ProblemSchema()
    {
        static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "type", "title", "status" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("urn:careplanmesh:problem:<reason>; the reason names a section of docs/api.md."),
                ["title"] = Text("English title."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["detail"] = Text("English detail."),
                ["titleJa"] = Text("Japanese title."),
                ["detailJa"] = Text("Japanese detail."),
                ["errors"] = new OpenApiSchema { Type = JsonSchemaType.Array, Description = "Every defect of the files, when they are the reason.", Items = new OpenApiSchema { Type = JsonSchemaType.Object } },
                ["traceId"] = Text("Quote it to the operator."),
            },
        };
    }

    static OpenApiResponse Problem() => new()
    {
        Description = "A problem (RFC 9457): type urn:careplanmesh:problem:<reason>, title/detail in English, titleJa/detailJa in Japanese.",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("Problem") },
        },
    };

    public static WebApplication MapApiContract(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", scalar => scalar.WithTitle("CarePlanMesh office API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return app;
    }
}
