using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CarePlanMesh.Contracts;
using CarePlanMesh.Notification.Notifications;
using CarePlanMesh.ServiceDefaults.MessageData;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Notification.Webhooks;

/// <summary>
/// The offices' webhook subscriptions and their signing secrets. A secret leaves this class in clear only in the answer
/// to a registration or rotation and to sign a message; at rest it is encrypted with the claim-check keys.
/// </summary>
public sealed class WebhookStore(NpgsqlDataSource dataSource, PayloadEncryption encryption, IOptions<WebhookOptions> options, WebhookDestinations destinations,
    TimeProvider clock)
{
    const string Columns = "w.id, w.url, w.topics, w.created_at, w.disabled_at, w.failing_since, " +
        "(SELECT max(s.expires_at) FROM notification.webhook_secrets s WHERE s.webhook_id = w.id AND s.expires_at > now())";

    public async Task<WebhookAnswer> Register(RegisterWebhook request, CancellationToken cancellationToken)
    {
        if (await UrlRefusal(request.Url, cancellationToken) is { } urlRefusal)
            return new WebhookAnswer { Refusal = urlRefusal };
        var unknown = request.Topics.Where(t => !Topics.All.Contains(t)).ToList();
        if (request.Topics.Count == 0 || unknown.Count > 0)
            return new WebhookAnswer
            {
                Refusal = Refused(422, "webhook-topics", $"Topics must be one or more of docs/notifications.md; unknown: {string.Join(", ", unknown)}.",
                    $"トピックは docs/notifications.md のものを1つ以上指定してください。不明: {string.Join(", ", unknown)}"),
            };

        var id = NewId.NextGuid();
        var secret = WebhookSignature.NewSecret();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO notification.webhooks (id, office_number, url, topics, created_at) VALUES (@id, @office, @url, @topics, @at)", connection, transaction))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("office", request.Office);
            insert.Parameters.AddWithValue("url", request.Url);
            insert.Parameters.AddWithValue("topics", request.Topics.Distinct().ToArray());
            insert.Parameters.AddWithValue("at", clock.GetUtcNow());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await AddSecret(connection, transaction, id, secret, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new WebhookAnswer { Webhook = await Find(request.Office, id, cancellationToken), Secret = secret };
    }

    public async Task<IReadOnlyList<WebhookView>> List(string office, CancellationToken cancellationToken)
    {
        await using var list = dataSource.CreateCommand(
            $"SELECT {Columns} FROM notification.webhooks w WHERE w.office_number = @office AND w.deleted_at IS NULL ORDER BY w.created_at");
        list.Parameters.AddWithValue("office", office);
        return await Read(list, cancellationToken);
    }

    public async Task<WebhookView?> Find(string office, Guid id, CancellationToken cancellationToken)
    {
        await using var find = dataSource.CreateCommand(
            $"SELECT {Columns} FROM notification.webhooks w WHERE w.id = @id AND w.office_number = @office AND w.deleted_at IS NULL");
        find.Parameters.AddWithValue("id", id);
        find.Parameters.AddWithValue("office", office);
        return (await Read(find, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Deletes the subscription; its undelivered messages are abandoned with it. False when the office has no such webhook.</summary>
    public async Task<bool> Delete(string office, Guid id, CancellationToken cancellationToken)
    {
        await using var delete = dataSource.CreateCommand(
            """
            WITH gone AS (
                UPDATE notification.webhooks SET deleted_at = @at WHERE id = @id AND office_number = @office AND deleted_at IS NULL RETURNING id),
            abandoned AS (
                UPDATE notification.webhook_deliveries SET abandoned_at = @at
                WHERE webhook_id IN (SELECT id FROM gone) AND delivered_at IS NULL AND abandoned_at IS NULL)
            SELECT count(*) FROM gone
            """);
        delete.Parameters.AddWithValue("id", id);
        delete.Parameters.AddWithValue("office", office);
        delete.Parameters.AddWithValue("at", clock.GetUtcNow());
        return (long)(await delete.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    public async Task<WebhookAnswer> Rotate(string office, Guid id, CancellationToken cancellationToken)
    {
        if (await Find(office, id, cancellationToken) is null)
            return new WebhookAnswer { Refusal = NotFound };
        var secret = WebhookSignature.NewSecret();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var expire = new NpgsqlCommand(
            "UPDATE notification.webhook_secrets SET expires_at = @until WHERE webhook_id = @id AND (expires_at IS NULL OR expires_at > @until)", connection, transaction))
        {
            expire.Parameters.AddWithValue("id", id);
            expire.Parameters.AddWithValue("until", clock.GetUtcNow() + options.Value.RotationGracePeriod);
            await expire.ExecuteNonQueryAsync(cancellationToken);
        }
        await AddSecret(connection, transaction, id, secret, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new WebhookAnswer { Webhook = await Find(office, id, cancellationToken), Secret = secret };
    }

    /// <summary>Queues a signed webhook.test message, delivered and retried like any other.</summary>
    public async Task<WebhookAnswer> Test(string office, Guid id, CancellationToken cancellationToken)
    {
        if (await Find(office, id, cancellationToken) is not { } webhook)
            return new WebhookAnswer { Refusal = NotFound };
        var now = clock.GetUtcNow();
        var messageId = $"msg_{Guid.NewGuid():N}";
        await using var insert = dataSource.CreateCommand(
            """
            INSERT INTO notification.webhook_deliveries (id, webhook_id, topic, body, created_at, next_attempt_at, traceparent)
            VALUES (@message, @id, @topic, @body, @at, @at, @traceparent)
            """);
        insert.Parameters.AddWithValue("message", messageId);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("topic", Topics.WebhookTest);
        insert.Parameters.AddWithValue("body", Notifier.WebhookBody(Topics.WebhookTest, now, new JsonObject { ["webhookId"] = id, ["office"] = office }));
        insert.Parameters.AddWithValue("at", now);
        insert.Parameters.Add(QueuedTrace.Parameter());
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return new WebhookAnswer { Webhook = webhook, MessageId = messageId };
    }

    /// <summary>The secrets that sign a message now: the current one and, during a rotation's grace period, the previous.</summary>
    public async Task<IReadOnlyList<string>> SigningSecrets(Guid webhookId, CancellationToken cancellationToken)
    {
        await using var select = dataSource.CreateCommand(
            "SELECT id, key_id, ciphertext FROM notification.webhook_secrets WHERE webhook_id = @id AND (expires_at IS NULL OR expires_at > @now) ORDER BY created_at DESC");
        select.Parameters.AddWithValue("id", webhookId);
        select.Parameters.AddWithValue("now", clock.GetUtcNow());
        var secrets = new List<string>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            secrets.Add(Encoding.UTF8.GetString(encryption.Decrypt(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2))));
        return secrets;
    }

    async Task AddSecret(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid webhookId, string secret, CancellationToken cancellationToken)
    {
        var id = NewId.NextGuid();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO notification.webhook_secrets (id, webhook_id, key_id, ciphertext, created_at) VALUES (@id, @webhook, @key, @secret, @at)", connection, transaction);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("webhook", webhookId);
        insert.Parameters.AddWithValue("key", encryption.ActiveKey);
        insert.Parameters.AddWithValue("secret", encryption.Encrypt(id, Encoding.UTF8.GetBytes(secret)));
        insert.Parameters.AddWithValue("at", clock.GetUtcNow());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<IReadOnlyList<WebhookView>> Read(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var views = new List<WebhookView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            views.Add(new WebhookView
            {
                Id = reader.GetGuid(0),
                Url = reader.GetString(1),
                Topics = reader.GetFieldValue<string[]>(2),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(3),
                DisabledAt = reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                FailingSince = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                PreviousSecretExpiresAt = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
            });
        return views;
    }

    async Task<Refusal?> UrlRefusal(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
            return Refused(422, "webhook-url", "The webhook URL must be an absolute https URL without user information or fragment.",
                "Webhook の URL は、ユーザー情報やフラグメントを含まない https の絶対 URL にしてください。");
        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
            if (uri.Scheme != Uri.UriSchemeHttp || !loopback || !destinations.LoopbackAllowed)
                return Refused(422, "webhook-url", "The webhook URL must use https (http only to a loopback address on a local development relay).",
                    "Webhook の URL は https にしてください（http はローカル開発環境のループバックアドレスのみ）。");
        }
        return await destinations.Refusing(uri, cancellationToken) is { } network
            ? Refused(422, "webhook-url",
                $"The webhook URL's host is or resolves to an address in {network}, a private, local or reserved network the relay does not post to; " +
                "use a public address (an operator can allow an on-premises range with Webhooks:AllowedNetworks).",
                $"Webhook の URL のホストが、中継サービスから送信しないプライベート・ローカル・予約済みのネットワーク（{network}）のアドレスです。" +
                "公開されたアドレスを指定してください（オンプレミスの範囲は運営者が Webhooks:AllowedNetworks で許可できます）。")
            : null;
    }

    public static readonly Refusal NotFound = Refused(404, "not-found", "No webhook with this id is visible to your office.", "この Webhook は存在しないか、貴事業所からは参照できません。");

    static Refusal Refused(int status, string reason, string en, string ja) => new() { Status = status, Reason = reason, ReasonEn = en, ReasonJa = ja };
}
