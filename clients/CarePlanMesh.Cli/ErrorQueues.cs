using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace CarePlanMesh.Cli;

/// <summary>
/// <c>cpm ops errors list|show|replay|purge QUEUE...</c>: MassTransit moves a message it could not consume to
/// <c>QUEUE_error</c> with the fault in <c>MT-Fault-*</c> headers. These commands talk AMQP to the broker: passive declares
/// for counts, basic.get for show (returned unacknowledged) and replay (republished to QUEUE with confirms, then
/// acknowledged), queue.purge. Each action is appended to the audit log (JSON lines) before the command reports success.
/// </summary>
static class ErrorQueues
{
    public const string Usage = "ops errors list|show|replay|purge QUEUE... [--count N] [--broker AMQP-URI] [--audit FILE] [--operator NAME]";

    const string FaultHeaderPrefix = "MT-Fault-";

    public static async Task<int> Run(Options options)
    {
        if (options.Positional is not ["errors", var action, _, ..] || action is not ("list" or "show" or "replay" or "purge"))
            throw new UsageException("say which action (list, show, replay or purge) and at least one queue.");
        var queues = options.Positional.Skip(2).Select(q => q.EndsWith("_error", StringComparison.Ordinal) ? q[..^"_error".Length] : q).ToList();
        var count = int.TryParse(options.Get("--count"), out var n) && n > 0 ? n : int.MaxValue;
        var broker = new Uri(options.Required("--broker", "CPM_BROKER"));
        var audit = new Audit(options.Get("--audit", "CPM_OPS_AUDIT", "cpm-ops-audit.jsonl")!,
            options.Get("--operator", "CPM_OPERATOR", Environment.UserName)!);

        IConnection connection;
        try
        {
            connection = await new ConnectionFactory { Uri = broker, ClientProvidedName = "cpm ops errors" }.CreateConnectionAsync();
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            Console.Error.WriteLine($"cpm ops: cannot reach the broker at {broker.Host}:{broker.Port}.");
            return 1;
        }
        await using var _ = connection;
        foreach (var queue in queues)
        {
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            uint waiting;
            try
            {
                waiting = (await channel.QueueDeclarePassiveAsync($"{queue}_error")).MessageCount;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                Console.Error.WriteLine($"cpm ops: there is no queue {queue}_error.");
                return 1;
            }
            switch (action)
            {
                case "list":
                    Console.WriteLine($"{queue}_error\t{waiting}");
                    await audit.Write("list", queue, waiting, []);
                    break;
                case "show":
                    await Show(channel, queue, (int)Math.Min(count, waiting), audit);
                    break;
                case "replay":
                    await Replay(channel, queue, (int)Math.Min(count, waiting), audit);
                    break;
                case "purge":
                    var purged = await channel.QueuePurgeAsync($"{queue}_error");
                    await audit.Write("purge", queue, purged, []);
                    Console.WriteLine($"{queue}_error: purged {purged}");
                    break;
            }
        }
        return 0;
    }

    static async Task Show(IChannel channel, string queue, int count, Audit audit)
    {
        var shown = new List<string>();
        ulong last = 0;
        for (var i = 0; i < count && await channel.BasicGetAsync($"{queue}_error", autoAck: false) is { } message; i++)
        {
            last = message.DeliveryTag;
            var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
            shown.Add(message.BasicProperties.MessageId ?? "");
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                queue = $"{queue}_error",
                messageId = message.BasicProperties.MessageId,
                messageType = MessageTypes(message.Body.Span),
                fault = headers.Where(h => h.Key.StartsWith(FaultHeaderPrefix, StringComparison.Ordinal))
                    .ToDictionary(h => h.Key[FaultHeaderPrefix.Length..], h => Text(h.Value)),
            }));
        }
        // Shown, not taken: every message goes back to the error queue.
        if (last > 0)
            await channel.BasicNackAsync(last, multiple: true, requeue: true);
        await audit.Write("show", queue, shown.Count, shown);
    }

    static async Task Replay(IChannel channel, string queue, int count, Audit audit)
    {
        var replayed = new List<string>();
        for (var i = 0; i < count && await channel.BasicGetAsync($"{queue}_error", autoAck: false) is { } message; i++)
        {
            var properties = new BasicProperties(message.BasicProperties)
            {
                Headers = (message.BasicProperties.Headers ?? new Dictionary<string, object?>())
                    .Where(h => !h.Key.StartsWith(FaultHeaderPrefix, StringComparison.Ordinal))
                    .ToDictionary(h => h.Key, h => h.Value),
            };
            // Confirmed by the broker before the copy in the error queue is acknowledged: a crash here duplicates, never loses
            // (the consumers are idempotent).
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, message.Body);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false);
            replayed.Add(message.BasicProperties.MessageId ?? "");
        }
        await audit.Write("replay", queue, replayed.Count, replayed);
        Console.WriteLine($"{queue}_error: replayed {replayed.Count} into {queue}");
    }

    /// <summary>The envelope's messageType URNs; the message itself is not printed.</summary>
    static string[] MessageTypes(ReadOnlySpan<byte> body)
    {
        try
        {
            using var envelope = JsonDocument.Parse(body.ToArray());
            return envelope.RootElement.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array
                ? [.. types.EnumerateArray().Select(t => t.GetString() ?? "")]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    static string? Text(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        null => null,
        _ => value.ToString(),
    };

    sealed class Audit(string path, string operatorName)
    {
        public async Task Write(string action, string queue, uint count, IReadOnlyList<string> messageIds)
        {
            var line = JsonSerializer.Serialize(new { at = DateTimeOffset.UtcNow, @operator = operatorName, action, queue = $"{queue}_error", count, messageIds });
            await File.AppendAllTextAsync(path, line + "\n");
        }

        public Task Write(string action, string queue, int count, IReadOnlyList<string> messageIds) => Write(action, queue, (uint)count, messageIds);
    }
}
