using System.CommandLine;
using System.Text;
using System.Text.Json;
using CarePlanMesh.Contracts;
using RabbitMQ.Client;

namespace CarePlanMesh.Cli;

/// <summary>
/// <c>cpm ops errors list|show|replay|purge [QUEUE...] [--service NAME]... [--all]</c>: MassTransit moves a message it could
/// not consume to <c>QUEUE_error</c> with the fault in <c>MT-Fault-*</c> headers. These commands talk AMQP to the broker:
/// passive declares for counts, basic.get for show (returned unacknowledged) and replay (republished to QUEUE with confirms,
/// then acknowledged), queue.purge. AMQP cannot list queues: a service's queues come from <see cref="ServiceQueues"/>.
/// Each action is appended to the audit log (JSON lines) before the command reports success.
/// </summary>
static class ErrorQueues
{
    const string FaultHeaderPrefix = "MT-Fault-";
    static readonly JsonSerializerOptions OneLine = new(Output.JsonOptions) { WriteIndented = false };

    public static Command Create()
    {
        var errors = new Command("errors", "messages in the _error queues: list counts, show, replay into the queue, purge; every action is audited");
        errors.Subcommands.Add(Action("list", "print each _error queue and how many messages wait in it", withCount: false));
        errors.Subcommands.Add(Action("show", "print each message's id, types and fault headers (never its body) and leave it in the queue", withCount: true));
        errors.Subcommands.Add(Action("replay", "move messages back into their queue, confirmed by the broker before each is taken out", withCount: true));
        errors.Subcommands.Add(Action("purge", "delete every message in the _error queues", withCount: false));
        return new Command("ops", "operator: messages in a queue's _error queue (list counts, show, replay into the queue, purge); every action is audited") { errors };
    }

    /// <summary>One queue to act on, and the service whose catalogue named it (null: named on the command line).</summary>
    sealed record Target(string Queue, string? Service);

    static Command Action(string action, string description, bool withCount)
    {
        var queues = new Argument<string[]>("QUEUE") { Description = "queues as the services consume them, e.g. submission-state (the _error suffix may be given)", Arity = ArgumentArity.ZeroOrMore };
        var services = new Option<string[]>("--service") { Description = "every queue of this service (repeatable)" };
        services.AcceptOnlyFromAmong([.. ServiceQueues.ByService.Keys]);
        var all = new Option<bool>("--all") { Description = "every queue of every service" };
        var count = new Option<int?>("--count") { Description = "at most this many messages per queue" };
        var broker = new Option<string>("--broker") { Description = "the broker, amqp://user:password@host:port/vhost (CPM_BROKER)" };
        var audit = new Option<string>("--audit") { Description = "the audit log, JSON lines (CPM_OPS_AUDIT, default cpm-ops-audit.jsonl)" };
        var operatorName = new Option<string>("--operator") { Description = "who acts, for the audit log (CPM_OPERATOR, default the login name)" };

        var command = Cli.Define(action, description, async (parsed, output, _) =>
        {
            var targets = Targets(parsed.GetValue(queues) ?? [], parsed.GetValue(services) ?? [], parsed.GetValue(all));
            var limit = parsed.GetValue(count) ?? int.MaxValue;
            var brokerAddress = parsed.GetValue(broker) ?? (Environment.GetEnvironmentVariable("CPM_BROKER") is { Length: > 0 } fromEnvironment ? fromEnvironment
                : throw CliException.Usage("--broker is required (or set CPM_BROKER).", "--broker（ブローカーのアドレス）を指定してください（または CPM_BROKER）。"));
            if (!Uri.TryCreate(brokerAddress, UriKind.Absolute, out var brokerUri) || brokerUri.Scheme is not ("amqp" or "amqps"))
                throw CliException.Usage("--broker is an amqp:// address.", "--broker には amqp:// のアドレスを指定してください。");
            var log = new Audit(
                parsed.GetValue(audit) ?? (Environment.GetEnvironmentVariable("CPM_OPS_AUDIT") is { Length: > 0 } auditFile ? auditFile : "cpm-ops-audit.jsonl"),
                parsed.GetValue(operatorName) ?? (Environment.GetEnvironmentVariable("CPM_OPERATOR") is { Length: > 0 } name ? name : Environment.UserName));

            IConnection connection;
            try
            {
                connection = await new ConnectionFactory { Uri = brokerUri, ClientProvidedName = "cpm ops errors", RequestedConnectionTimeout = TimeSpan.FromSeconds(5) }.CreateConnectionAsync();
            }
            catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException)
            {
                throw new CliException("broker", $"cannot reach the broker at {brokerUri.Host}:{brokerUri.Port}.", $"ブローカー {brokerUri.Host}:{brokerUri.Port} に接続できません。");
            }
            await using var brokerConnection = connection;
            var results = new List<object>();
            foreach (var target in targets)
            {
                await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
                var waiting = await Waiting(connection, target);
                if (waiting is null)
                {
                    // Catalogue queues' error queues appear with their first fault: none yet is nothing waiting.
                    if (target.Service is null)
                        throw new CliException("broker", $"there is no queue {target.Queue}_error.", $"キュー {target.Queue}_error はありません。");
                    waiting = 0;
                }
                switch (action)
                {
                    case "list":
                        await log.Write("list", target.Queue, waiting.Value, []);
                        results.Add(new { queue = $"{target.Queue}_error", service = target.Service, messages = waiting.Value });
                        if (!output.Json)
                            Console.WriteLine($"{target.Queue}_error\t{waiting}");
                        break;
                    case "show":
                        var shown = waiting == 0 ? [] : await Show(channel, target.Queue, (int)Math.Min(limit, waiting.Value));
                        await log.Write("show", target.Queue, (uint)shown.Count, [.. shown.Select(s => s.MessageId ?? "")]);
                        results.AddRange(shown);
                        if (!output.Json)
                            foreach (var message in shown)
                                Console.WriteLine(JsonSerializer.Serialize(message, OneLine));
                        break;
                    case "replay":
                        var replayed = waiting == 0 ? [] : await Replay(channel, target.Queue, (int)Math.Min(limit, waiting.Value));
                        await log.Write("replay", target.Queue, (uint)replayed.Count, replayed);
                        results.Add(new { queue = $"{target.Queue}_error", service = target.Service, replayed = replayed.Count, messageIds = replayed });
                        if (!output.Json)
                            Console.WriteLine($"{target.Queue}_error: replayed {replayed.Count} into {target.Queue}");
                        break;
                    case "purge":
                        var purged = waiting == 0 ? 0 : await channel.QueuePurgeAsync($"{target.Queue}_error");
                        await log.Write("purge", target.Queue, purged, []);
                        results.Add(new { queue = $"{target.Queue}_error", service = target.Service, purged });
                        if (!output.Json)
                            Console.WriteLine($"{target.Queue}_error: purged {purged}");
                        break;
                }
            }
            if (output.Json)
                Console.WriteLine(JsonSerializer.Serialize(new { action, queues = results }, Output.JsonOptions));
            return 0;
        }, label: $"ops errors {action}");
        command.Arguments.Add(queues);
        command.Options.Add(services);
        command.Options.Add(all);
        if (withCount)
        {
            count.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int?>() is < 1)
                    result.AddError("--count is a whole number, at least 1 / --count は 1 以上の整数です.");
            });
            command.Options.Add(count);
        }
        command.Options.Add(broker);
        command.Options.Add(audit);
        command.Options.Add(operatorName);
        command.Validators.Add(result =>
        {
            // By tokens, not values: a value the parser already refused (an unknown service) must not be converted here.
            if (result.GetResult(queues) is not { Tokens.Count: > 0 } && result.GetResult(services) is null && result.GetResult(all) is null)
                result.AddError("name the queues, or --service NAME, or --all / キュー名、--service または --all を指定してください.");
        });
        return command;
    }

    /// <summary>The queues named, then those of each service asked for (all with --all), each once, in the catalogue's order.</summary>
    static List<Target> Targets(string[] queues, string[] services, bool all)
    {
        var targets = queues.Select(q => new Target(q.EndsWith("_error", StringComparison.Ordinal) ? q[..^"_error".Length] : q, null)).ToList();
        foreach (var (service, serviceQueues) in ServiceQueues.ByService.Where(s => all || services.Contains(s.Key)))
            targets.AddRange(serviceQueues.Where(q => targets.All(t => t.Queue != q)).Select(q => new Target(q, service)));
        return targets;
    }

    /// <summary>Messages in QUEUE_error, or null when it does not exist; a catalogue queue must itself exist (else the catalogue is wrong).</summary>
    static async Task<uint?> Waiting(IConnection connection, Target target)
    {
        if (target.Service is not null && await MessageCount(connection, target.Queue) is null)
            throw new CliException("broker", $"there is no queue {target.Queue}, which the catalogue lists for {target.Service}: is {target.Service} deployed on this broker?",
                $"{target.Service} のキュー {target.Queue} がありません。このブローカーで {target.Service} が動いているか確認してください。");
        return await MessageCount(connection, $"{target.Queue}_error");
    }

    static async Task<uint?> MessageCount(IConnection connection, string queue)
    {
        // A failed passive declare closes its channel: each check gets its own.
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException missing) when (missing.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    sealed record Shown(string Queue, string? MessageId, string[] MessageType, Dictionary<string, string?> Fault);

    static async Task<List<Shown>> Show(IChannel channel, string queue, int count)
    {
        var shown = new List<Shown>();
        ulong last = 0;
        for (var i = 0; i < count && await channel.BasicGetAsync($"{queue}_error", autoAck: false) is { } message; i++)
        {
            last = message.DeliveryTag;
            var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
            shown.Add(new Shown($"{queue}_error", message.BasicProperties.MessageId, MessageTypes(message.Body.Span),
                headers.Where(h => h.Key.StartsWith(FaultHeaderPrefix, StringComparison.Ordinal)).ToDictionary(h => h.Key[FaultHeaderPrefix.Length..], h => Text(h.Value))));
        }
        // Shown, not taken: every message goes back to the error queue.
        if (last > 0)
            await channel.BasicNackAsync(last, multiple: true, requeue: true);
        return shown;
    }

    static async Task<List<string>> Replay(IChannel channel, string queue, int count)
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
        return replayed;
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
    }
}
