using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CarePlanMesh.Notification.Email;
using CarePlanMesh.Notification.Notifications;
using CarePlanMesh.ServiceDefaults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Notification.Webhooks;

/// <summary>
/// Delivers queued webhook messages at least once. Every interval it claims due messages (FOR UPDATE SKIP LOCKED with a
/// lease, so replicas share the work and a crash only delays a message) of webhooks it is not already talking to, and
/// runs one sender per webhook: a slow or dead endpoint holds up only its own messages. A failure backs the message off
/// along Webhooks:RetryDelays (stored as next_attempt_at, so a restart loses nothing); the webhook-id stays the same on
/// every attempt. A webhook failing for longer than Webhooks:DisableAfter is disabled and its office told by e-mail.
/// Each attempt is a `webhook send` span, with the HTTP POST under it, in the trace that queued the message
/// (<see cref="QueuedTrace"/>): a delivery notice's in the submission's trace.
/// </summary>
public sealed class WebhookDispatcher(
    NpgsqlDataSource dataSource,
    WebhookStore store,
    MailOutbox mail,
    IHttpClientFactory httpClients,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    const int BatchSize = 100;
    /// <summary>At most this many messages of one webhook per claim, so a backlog of one endpoint leaves room for every other.</summary>
    const int PerWebhook = 20;

    readonly ConcurrentDictionary<Guid, Task> _senders = new();

    sealed record Message(string Id, Guid WebhookId, string Body, int Attempts, DateTimeOffset CreatedAt, string? TraceParent);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        try
        {
            do
            {
                try
                {
                    await DispatchDue(stoppingToken);
                }
                // Anything but the service's own stop, a cancellation from elsewhere included (see SubmissionSweeper).
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(exception, "Webhook sweep failed; trying again in {Interval}", options.Value.Interval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        finally
        {
            await Task.WhenAll(_senders.Values).ContinueWith(_ => { }, CancellationToken.None);
        }
    }

    async Task DispatchDue(CancellationToken cancellationToken)
    {
        foreach (var (webhook, sender) in _senders)
            if (sender.IsCompleted)
                _senders.TryRemove(webhook, out _);

        var now = clock.GetUtcNow();
        var claimed = new List<Message>();
        await using (var claim = dataSource.CreateCommand(
            """
            UPDATE notification.webhook_deliveries SET leased_until = @until
            WHERE id IN (
                SELECT d.id FROM notification.webhook_deliveries d
                WHERE d.id IN (
                    SELECT ranked.id FROM (
                        SELECT d.id, d.created_at, row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.created_at) AS place
                        FROM notification.webhook_deliveries d
                        JOIN notification.webhooks w ON w.id = d.webhook_id AND w.deleted_at IS NULL AND w.disabled_at IS NULL
                        WHERE d.delivered_at IS NULL AND d.abandoned_at IS NULL AND d.next_attempt_at <= @now
                          AND (d.leased_until IS NULL OR d.leased_until < @now) AND NOT (d.webhook_id = ANY (@busy))) ranked
                    WHERE ranked.place <= @perWebhook
                    ORDER BY ranked.created_at LIMIT @batch)
                  -- Checked again on the row this claim locks: another replica may have claimed it meanwhile.
                  AND d.delivered_at IS NULL AND d.abandoned_at IS NULL AND d.next_attempt_at <= @now AND (d.leased_until IS NULL OR d.leased_until < @now)
                FOR UPDATE OF d SKIP LOCKED)
            RETURNING id, webhook_id, body, attempts, created_at, traceparent
            """))
        {
            claim.Parameters.AddWithValue("until", now + Lease);
            claim.Parameters.AddWithValue("now", now);
            claim.Parameters.AddWithValue("busy", _senders.Keys.ToArray());
            claim.Parameters.AddWithValue("perWebhook", PerWebhook);
            claim.Parameters.AddWithValue("batch", BatchSize);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                claimed.Add(new Message(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        foreach (var messages in claimed.GroupBy(m => m.WebhookId))
            _senders[messages.Key] = Task.Run(() => SendInOrder(messages.Key, [.. messages.OrderBy(m => m.CreatedAt)], cancellationToken), CancellationToken.None);
    }

    async Task SendInOrder(Guid webhookId, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        try
        {
            var (url, office) = await Destination(webhookId, cancellationToken);
            for (var i = 0; i < messages.Count; i++)
            {
                using var activity = StoredTraces.Continue("webhook send", ActivityKind.Internal, messages[i].TraceParent);
                activity?.SetTag("careplanmesh.webhook_id", webhookId.ToString());
                activity?.SetTag("careplanmesh.webhook_message_id", messages[i].Id);
                activity?.SetTag("careplanmesh.attempt", messages[i].Attempts + 1);
                var status = await Send(url, office, messages[i], cancellationToken);
                if (status is >= 200 and < 300)
                {
                    await Delivered(messages[i], status, cancellationToken);
                    continue;
                }
                activity?.SetStatus(ActivityStatusCode.Error, status == 0 ? "no answer" : $"HTTP {status}");
                // The endpoint is failing: the rest wait for this message's next attempt instead of hammering it now.
                await Failed(messages[i], status, [.. messages.Skip(i + 1).Select(m => m.Id)], cancellationToken);
                break;
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(exception, "Sending to webhook {Webhook} failed; its messages are retried once their lease ends", webhookId);
        }
    }

    /// <returns>
    /// The HTTP status, or 0 when the endpoint did not answer (refused, timed out, TLS failure) or its host is in a blocked
    /// network (<see cref="WebhookDestinations"/>).
    /// </returns>
    async Task<int> Send(string url, string office, Message message, CancellationToken cancellationToken)
    {
        var secrets = await store.SigningSecrets(message.WebhookId, cancellationToken);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(message.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("webhook-id", message.Id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(message.Id, timestamp, message.Body, secrets));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("CarePlanMesh-Webhooks", "1"));
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException exception) when (Refusal(exception) is { } refused)
        {
            logger.LogWarning("Webhook {Webhook} of office {Office} was not sent message {Message}: its host is in the blocked network {Network} (Webhooks:AllowedNetworks)",
                message.WebhookId, office, message.Id, refused.Network.ToString());
            return 0;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Webhook {Webhook} did not answer message {Message} ({Error})", message.WebhookId, message.Id, exception.GetType().Name);
            return 0;
        }
    }

    async Task Delivered(Message message, int status, CancellationToken cancellationToken)
    {
        await using var update = dataSource.CreateCommand(
            """
            UPDATE notification.webhook_deliveries SET delivered_at = @now, attempts = attempts + 1, last_status = @status, leased_until = NULL WHERE id = @id;
            UPDATE notification.webhooks SET failing_since = NULL WHERE id = @webhook AND failing_since IS NOT NULL;
            """);
        update.Parameters.AddWithValue("now", clock.GetUtcNow());
        update.Parameters.AddWithValue("status", status);
        update.Parameters.AddWithValue("id", message.Id);
        update.Parameters.AddWithValue("webhook", message.WebhookId);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Backs the message off and postpones the webhook's other waiting messages (<paramref name="released"/>, claimed with it,
    /// and those not claimed yet) to its next attempt, in one transaction: a dead endpoint is tried once per step of the
    /// backoff, not once per queued message, and its backlog never fills a claim. Their order and webhook-ids stay.
    /// </summary>
    async Task Failed(Message message, int status, string[] released, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var delays = options.Value.Delays;
        var attempts = message.Attempts + 1;
        var abandon = attempts > delays.Count;
        var next = abandon ? now : now + delays[attempts - 1];
        logger.LogWarning("Webhook {Webhook} answered message {Message} with {Status} (attempt {Attempt}); {Next}", message.WebhookId, message.Id, status, attempts,
            abandon ? "giving it up" : $"retrying in {delays[attempts - 1]}");

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = new NpgsqlCommand(
            """
            UPDATE notification.webhook_deliveries
            SET attempts = @attempts, last_status = @status, leased_until = NULL, next_attempt_at = @next, abandoned_at = @abandoned
            WHERE id = @id
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("attempts", attempts);
            update.Parameters.AddWithValue("status", status);
            update.Parameters.AddWithValue("next", next);
            update.Parameters.AddWithValue("abandoned", abandon ? now : DBNull.Value);
            update.Parameters.AddWithValue("id", message.Id);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var postpone = new NpgsqlCommand(
            """
            UPDATE notification.webhook_deliveries
            SET leased_until = NULL, next_attempt_at = greatest(next_attempt_at, @next)
            WHERE webhook_id = @webhook AND id <> @id AND delivered_at IS NULL AND abandoned_at IS NULL
              AND (id = ANY (@released) OR leased_until IS NULL OR leased_until < @now)
            """, connection, transaction))
        {
            postpone.Parameters.AddWithValue("next", next);
            postpone.Parameters.AddWithValue("webhook", message.WebhookId);
            postpone.Parameters.AddWithValue("id", message.Id);
            postpone.Parameters.AddWithValue("released", released);
            postpone.Parameters.AddWithValue("now", now);
            await postpone.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var failing = new NpgsqlCommand(
            """
            UPDATE notification.webhooks
            SET failing_since = coalesce(failing_since, @now),
                disabled_at = CASE WHEN failing_since <= @now - @disableAfter THEN @now END
            WHERE id = @id AND disabled_at IS NULL
            RETURNING disabled_at IS NOT NULL, office_number, url, failing_since
            """, connection, transaction))
        {
            failing.Parameters.AddWithValue("now", now);
            failing.Parameters.AddWithValue("disableAfter", options.Value.DisableAfter);
            failing.Parameters.AddWithValue("id", message.WebhookId);
            bool disabled;
            string office, url;
            DateTimeOffset since;
            await using (var reader = await failing.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    await transaction.CommitAsync(cancellationToken);
                    return;
                }
                (disabled, office, url, since) = (reader.GetBoolean(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3));
            }
            if (disabled)
            {
                logger.LogWarning("Webhook {Webhook} has failed since {Since}: disabled, its office is told by e-mail", message.WebhookId, since);
                await mail.QueueForOffice(connection, transaction, office, Topics.WebhookDisabled, $"webhook-disabled:{message.WebhookId}",
                    new JsonObject { ["webhookId"] = message.WebhookId, ["url"] = url, ["failingSince"] = since, ["office"] = office }, cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
    }

    static WebhookDestinationRefusedException? Refusal(Exception exception) =>
        exception as WebhookDestinationRefusedException ?? (exception.InnerException is { } inner ? Refusal(inner) : null);

    async Task<(string Url, string Office)> Destination(Guid webhookId, CancellationToken cancellationToken)
    {
        await using var select = dataSource.CreateCommand("SELECT url, office_number FROM notification.webhooks WHERE id = @id");
        select.Parameters.AddWithValue("id", webhookId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetString(0), reader.GetString(1));
    }
}
