using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The collector the services export to in the tests: Kestrel in the test process taking OTLP/HTTP protobuf (the services'
/// exporter with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf). Spans from /v1/traces are decoded and kept in memory; logs
/// and metrics are accepted and dropped.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    /// <summary>One span as exported: ids in lower-case hex, every attribute (span, events, links and resource) as text.</summary>
    public sealed record Span(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
        IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<string> EventTexts, IReadOnlyList<(string TraceId, string SpanId)> Links, string StatusMessage);

    readonly WebApplication _app;
    readonly ConcurrentQueue<Span> _spans = new();

    public IEnumerable<Span> Spans => _spans;
    /// <summary>The value of OTEL_EXPORTER_OTLP_ENDPOINT for the services.</summary>
    public string Endpoint { get; }

    public OtlpReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            foreach (var span in Decode(await Body(context.Request)))
                _spans.Enqueue(span);
            // An empty ExportTraceServiceResponse: everything accepted.
            return Results.Bytes([], "application/x-protobuf");
        });
        _app.MapPost("/v1/{signal}", () => Results.Bytes([], "application/x-protobuf"));
        _app.StartAsync().GetAwaiter().GetResult();
        Endpoint = _app.Urls.Single();
    }

    static async Task<byte[]> Body(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var body = request.Headers.ContentEncoding == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
        await body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public void Dispose() => _app.DisposeAsync().AsTask().GetAwaiter().GetResult();

    // opentelemetry/proto/collector/trace/v1/trace_service.proto and trace/v1/trace.proto, the fields a test reads.
    static IEnumerable<Span> Decode(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1).Select(f => f.Bytes))
        {
            // Resource (1): attributes 1; ScopeSpans (2): scope 1 (name 1), spans 2.
            var resource = Fields(resourceSpans).Where(f => f.Number == 1).SelectMany(f => Fields(f.Bytes)).Where(f => f.Number == 1).SelectMany(f => Attributes(f.Bytes)).ToList();
            var service = resource.FirstOrDefault(a => a.Key == "service.name").Value ?? "";
            foreach (var scopeSpans in Fields(resourceSpans).Where(f => f.Number == 2).Select(f => f.Bytes))
            {
                var scope = Fields(scopeSpans).Where(f => f.Number == 1).Select(f => Text(Fields(f.Bytes).FirstOrDefault(s => s.Number == 1).Bytes)).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans).Where(f => f.Number == 2).Select(f => Fields(f.Bytes).ToList()))
                {
                    var attributes = new Dictionary<string, string>();
                    foreach (var (key, value) in resource.Concat(span.Where(f => f.Number == 9).SelectMany(f => Attributes(f.Bytes))))
                        attributes[key] = value;
                    // Span: trace id 1, span id 2, parent 4, name 5, kind 6, attributes 9; Event (11): name 2, attributes 3; Link (13): trace id 1, span id 2; Status (15): message 2.
                    var events = span.Where(f => f.Number == 11).Select(f => Fields(f.Bytes).ToList())
                        .Select(e => string.Join("\n", e.Where(f => f.Number == 2).Select(f => Text(f.Bytes)).Concat(e.Where(f => f.Number == 3).SelectMany(f => Attributes(f.Bytes)).Select(a => $"{a.Key}={a.Value}"))))
                        .ToList();
                    var links = span.Where(f => f.Number == 13).Select(f => Fields(f.Bytes).ToList())
                        .Select(l => (Hex(l, 1), Hex(l, 2))).ToList();
                    var status = span.Where(f => f.Number == 15).SelectMany(f => Fields(f.Bytes)).Where(f => f.Number == 2).Select(f => Text(f.Bytes)).FirstOrDefault() ?? "";
                    yield return new Span(service, scope, Hex(span, 1), Hex(span, 2), Hex(span, 4), Text(span.FirstOrDefault(f => f.Number == 5).Bytes),
                        (int)span.FirstOrDefault(f => f.Number == 6).Varint, attributes, events, links, status);
                }
            }
        }
    }

    static string Hex(List<Field> message, int number) => Convert.ToHexStringLower(message.FirstOrDefault(f => f.Number == number).Bytes ?? []);

    static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    /// <summary>KeyValue: key 1, AnyValue 2, the value rendered as text (arrays and lists joined).</summary>
    static IEnumerable<KeyValuePair<string, string>> Attributes(byte[]? keyValue)
    {
        var fields = Fields(keyValue).ToList();
        var key = Text(fields.FirstOrDefault(f => f.Number == 1).Bytes);
        var value = fields.FirstOrDefault(f => f.Number == 2).Bytes;
        yield return new(key, AnyValue(value));
    }

    /// <summary>AnyValue: string 1, bool 2, int 3, double 4, array 5 (values 1), kvlist 6 (values 1), bytes 7.</summary>
    static string AnyValue(byte[]? value) => string.Join(",", Fields(value).Select(f => f.Number switch
    {
        1 => Text(f.Bytes),
        2 => (f.Varint != 0).ToString(),
        3 => ((long)f.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
        4 => BitConverter.Int64BitsToDouble((long)f.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
        5 => string.Join(",", Fields(f.Bytes).Select(v => AnyValue(v.Bytes))),
        6 => string.Join(",", Fields(f.Bytes).SelectMany(kv => Attributes(kv.Bytes)).Select(a => $"{a.Key}={a.Value}")),
        7 => Convert.ToBase64String(f.Bytes ?? []),
        _ => "",
    }));

    /// <summary>One field of a protobuf message: length-delimited ones carry bytes, the others their value in Varint.</summary>
    readonly record struct Field(int Number, ulong Varint, byte[]? Bytes);

    /// <summary>The protobuf wire format (protobuf.dev/programming-guides/encoding): a tag, then a varint, fixed 64/32 bits or a length and bytes.</summary>
    static IEnumerable<Field> Fields(byte[]? message)
    {
        message ??= [];
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    yield return new Field(number, ReadVarint(message, ref position), null);
                    break;
                case 1:
                    yield return new Field(number, BitConverter.ToUInt64(message, position), null);
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    yield return new Field(number, 0, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    yield return new Field(number, BitConverter.ToUInt32(message, position), null);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Protobuf wire type {tag & 7} is not used by OTLP.");
            }
        }
    }

    static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
                return value;
        }
    }
}
