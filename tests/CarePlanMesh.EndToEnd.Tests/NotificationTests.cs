using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CarePlanMesh.Contracts;
using MimeKit;
using StandardWebhooks;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// Issue #12: offices are told by signed webhooks (checked with the StandardWebhooks package, not the relay's code) and by
/// e-mail (a real SMTP server), and read their inbox over the API.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class NotificationTests(MeshFixture mesh)
{
    static readonly string[] AllowedDataKeys =
    [
        "notificationId", "office", "submissionId", "links", "self", "partnershipId", "requesterOffice", "partnerOffice", "counterpartOffice",
        "state", "changedBy", "changedAt", "thumbprint", "notAfter", "daysLeft", "threshold", "webhookId",
        "errorCount", "warningCount", "reminder", "deadline", "licenceId", "kind", "validTo",
    ];

    [Fact]
    public async Task The_recipient_is_told_of_a_delivery_by_a_signed_webhook_by_e_mail_and_in_its_inbox()
    {
        await using var receiver = await WebhookReceiver.Start();
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var (webhookId, secret) = await Register(provider, receiver, [NotificationTopicNames.DeliveryAvailable, NotificationTopicNames.DeliveryWithdrawn]);
        Assert.StartsWith("whsec_", secret);
        var listed = await provider.GetFromJsonAsync<JsonElement>("/v1/webhooks");
        var view = Assert.Single(listed.GetProperty("webhooks").EnumerateArray(), w => w.GetProperty("id").GetGuid() == webhookId);
        Assert.False(view.TryGetProperty("secret", out _));
        Assert.DoesNotContain(secret, listed.GetRawText());

        var response = await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit("20250801090000")));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await mesh.WaitForState(careOffice, id, "AwaitingPickup");

        var delivered = await WaitForWebhook(receiver, r => r.Body.Contains(id.ToString()));
        new StandardWebhook(secret).Verify(delivered.Body, delivered.Headers);
        var body = JsonDocument.Parse(delivered.Body).RootElement;
        Assert.Equal("delivery.available", body.GetProperty("type").GetString());
        Assert.Equal(MeshFixture.Provider, body.GetProperty("data").GetProperty("office").GetString());
        Assert.Equal($"/v1/mailbox/{id}", body.GetProperty("data").GetProperty("links").GetProperty("self").GetString());
        AssertNoPersonalData(delivered.Body);

        var mail = await WaitForMail($"office-{MeshFixture.Provider}@demo.careplanmesh.example", m => (m.TextBody ?? "").Contains(id.ToString()));
        Assert.Contains("新しいファイルが届きました", mail.Subject);
        var text = mail.TextBody ?? "";
        Assert.True(text.IndexOf("受取箱", StringComparison.Ordinal) < text.IndexOf("English", StringComparison.Ordinal));
        Assert.Contains("A new send unit is waiting", text);
        AssertNoPersonalData(mail.Subject + text);

        var unread = await provider.GetFromJsonAsync<JsonElement>("/v1/notifications?unread=true&limit=200");
        var item = Assert.Single(unread.GetProperty("items").EnumerateArray(), n => n.GetProperty("data").GetProperty("submissionId").GetGuid() == id);
        Assert.Equal("delivery.available", item.GetProperty("topic").GetString());
        Assert.Equal(body.GetProperty("data").GetProperty("notificationId").GetGuid(), item.GetProperty("id").GetGuid());
        var read = await provider.PostAsync($"/v1/notifications/{item.GetProperty("id").GetGuid()}/read", null);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var stillUnread = await provider.GetFromJsonAsync<JsonElement>("/v1/notifications?unread=true&limit=200");
        Assert.DoesNotContain(stillUnread.GetProperty("items").EnumerateArray(), n => n.GetProperty("id").GetGuid() == item.GetProperty("id").GetGuid());
        using var stranger = mesh.ClientFor(MeshFixture.OtherProvider);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/v1/notifications/{item.GetProperty("id").GetGuid()}/read", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await provider.DeleteAsync($"/v1/webhooks/{webhookId}")).StatusCode);
    }

    [Fact]
    public async Task A_failing_endpoint_gets_the_same_message_again_with_the_same_webhook_id_even_across_a_restart_of_notification()
    {
        await using var receiver = await WebhookReceiver.Start();
        using var office = mesh.ClientFor(MeshFixture.OtherProvider);
        var (webhookId, secret) = await Register(office, receiver, [NotificationTopicNames.DeliveryAvailable]);
        var refuse = true;
        receiver.Answer = _ => Task.FromResult(refuse ? 503 : 200);

        var test = await office.PostAsync($"/v1/webhooks/{webhookId}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        var messageId = (await test.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString()!;
        await mesh.Eventually(() => Task.FromResult(receiver.Requests.Count >= 2));

        await mesh.Restart("notification");
        refuse = false;
        await mesh.Eventually(() => Task.FromResult(receiver.Requests.Any(r => r.Status == 200)));

        Assert.All(receiver.Requests, r =>
        {
            Assert.Equal(messageId, r.Id);
            new StandardWebhook(secret).Verify(r.Body, r.Headers);
        });
        Assert.Equal("webhook.test", JsonDocument.Parse(receiver.Requests.First().Body).RootElement.GetProperty("type").GetString());
        // The receiver answered before notification committed the delivery.
        await mesh.Eventually(async () => await mesh.Count($"notification.webhook_deliveries WHERE id = '{messageId}' AND delivered_at IS NOT NULL AND attempts >= 3") == 1);
        await office.DeleteAsync($"/v1/webhooks/{webhookId}");
    }

    [Fact]
    public async Task A_hanging_endpoint_does_not_delay_another_offices_webhook()
    {
        await using var hanging = await WebhookReceiver.Start();
        await using var healthy = await WebhookReceiver.Start();
        var arrived = new TaskCompletionSource();
        hanging.Answer = async _ => { arrived.TrySetResult(); await Task.Delay(TimeSpan.FromSeconds(10)); return 200; };
        using var careOffice = mesh.ClientFor(MeshFixture.OrderedCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.OrderedProvider);
        var (slowId, _) = await Register(careOffice, hanging, [NotificationTopicNames.SubmissionAcknowledged]);
        var (fastId, fastSecret) = await Register(provider, healthy, [NotificationTopicNames.DeliveryAvailable]);

        for (var i = 0; i < 3; i++)
            await careOffice.PostAsync($"/v1/webhooks/{slowId}/test", null);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var started = DateTime.UtcNow;
        await provider.PostAsync($"/v1/webhooks/{fastId}/test", null);
        var received = await WaitForWebhook(healthy, _ => true);

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "the healthy endpoint waited for the hanging one");
        new StandardWebhook(fastSecret).Verify(received.Body, received.Headers);
        await careOffice.DeleteAsync($"/v1/webhooks/{slowId}");
        await provider.DeleteAsync($"/v1/webhooks/{fastId}");
    }

    [Fact]
    public async Task After_a_rotation_both_the_old_and_the_new_secret_verify_a_message()
    {
        await using var receiver = await WebhookReceiver.Start();
        using var office = mesh.ClientFor(MeshFixture.OtherProvider);
        var (webhookId, oldSecret) = await Register(office, receiver, [NotificationTopicNames.CertificateExpiring]);

        var rotated = await office.PostAsync($"/v1/webhooks/{webhookId}/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var answer = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        var newSecret = answer.GetProperty("secret").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.True(answer.GetProperty("previousSecretExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        await office.PostAsync($"/v1/webhooks/{webhookId}/test", null);

        var received = await WaitForWebhook(receiver, _ => true);
        Assert.Equal(2, received.Signature.Split(' ').Length);
        // StandardWebhooks 1.1.2 checks only the first signature of the header (the new secret's); the spec allows several,
        // so the old secret's is checked by the spec's own recipe.
        new StandardWebhook(newSecret).Verify(received.Body, received.Headers);
        Assert.True(SignedBy(oldSecret, received));
        Assert.True(SignedBy(newSecret, received));
        await office.DeleteAsync($"/v1/webhooks/{webhookId}");
    }

    [Fact]
    public async Task A_webhook_must_use_https_except_on_loopback_and_name_known_topics()
    {
        using var office = mesh.ClientFor(MeshFixture.OtherProvider);

        var plainHttp = await office.PostAsJsonAsync("/v1/webhooks", new { url = "http://hooks.example.jp/careplan", topics = new[] { "delivery.available" } });
        var unknownTopic = await office.PostAsJsonAsync("/v1/webhooks", new { url = "https://hooks.example.jp/careplan", topics = new[] { "delivery.everything" } });
        var https = await office.PostAsJsonAsync("/v1/webhooks", new { url = "https://hooks.example.jp/careplan", topics = new[] { "delivery.available" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, plainHttp.StatusCode);
        var problem = await plainHttp.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:webhook-url", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detailJa").GetString()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknownTopic.StatusCode);
        Assert.Equal(HttpStatusCode.Created, https.StatusCode);
        var id = (await https.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await office.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await office.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
    }

    [Fact]
    public async Task Partners_are_told_of_a_request_and_its_approval_and_an_invited_address_gets_a_bilingual_invitation()
    {
        await using var receiver = await WebhookReceiver.Start();
        using var requester = mesh.ClientFor(MeshFixture.OrderedProvider);
        using var partner = mesh.ClientFor(MeshFixture.OtherProvider);
        var (webhookId, secret) = await Register(partner, receiver, [NotificationTopicNames.PartnershipRequested]);

        var requested = await requester.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = MeshFixture.OtherProvider });
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var partnershipId = (await requested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var told = await WaitForWebhook(receiver, r => r.Body.Contains(partnershipId.ToString()));
        new StandardWebhook(secret).Verify(told.Body, told.Headers);
        var data = JsonDocument.Parse(told.Body).RootElement.GetProperty("data");
        Assert.Equal(MeshFixture.OrderedProvider, data.GetProperty("counterpartOffice").GetString());
        AssertNoPersonalData(told.Body);

        Assert.Equal(HttpStatusCode.OK, (await partner.PostAsync($"/v1/partnerships/{partnershipId}/approve", null)).StatusCode);
        var approved = await WaitForMail($"office-{MeshFixture.OrderedProvider}@demo.careplanmesh.example", m => (m.TextBody ?? "").Contains(MeshFixture.OtherProvider));
        Assert.Contains("連携が承認されました", approved.Subject);
        await mesh.Eventually(async () => (await requester.GetFromJsonAsync<JsonElement>("/v1/notifications?limit=200")).GetProperty("items").EnumerateArray()
            .Any(n => n.GetProperty("topic").GetString() == "partnership.approved" && n.GetProperty("data").GetProperty("partnershipId").GetGuid() == partnershipId));

        var invited = await requester.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = "0300000398", inviteEmail = "invite-398@example.jp" });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var invitation = await WaitForMail("invite-398@example.jp", _ => true);
        Assert.Contains(MeshFixture.OrderedProvider, (invitation.TextBody ?? ""));
        Assert.Contains("CarePlanMesh は", (invitation.TextBody ?? ""));
        Assert.Contains("To join, ask the operator", (invitation.TextBody ?? ""));
        AssertNoPersonalData(invitation.Subject + (invitation.TextBody ?? ""));
        await partner.DeleteAsync($"/v1/webhooks/{webhookId}");
    }

    [Fact]
    public async Task An_office_chooses_which_topics_come_by_e_mail()
    {
        using var office = mesh.ClientFor(MeshFixture.OtherProvider);
        var defaults = await office.GetFromJsonAsync<JsonElement>("/v1/notification-preferences");
        Assert.Equal($"office-{MeshFixture.OtherProvider}@demo.careplanmesh.example", defaults.GetProperty("email").GetString());
        Assert.Contains("delivery.available", defaults.GetProperty("emailTopics").EnumerateArray().Select(t => t.GetString()));

        var set = await office.PutAsJsonAsync("/v1/notification-preferences", new { emailTopics = new[] { "certificate.expiring" } });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(["certificate.expiring"], (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("emailTopics").EnumerateArray().Select(t => t.GetString()));
        var refused = await office.PutAsJsonAsync("/v1/notification-preferences", new { emailTopics = new[] { "everything" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);

        await office.PutAsJsonAsync("/v1/notification-preferences", new { emailTopics = defaults.GetProperty("emailTopics") });
    }

    [Fact]
    public async Task No_notification_of_any_topic_stored_or_queued_for_a_channel_holds_personal_data()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250802090000");
        files[0] = (files[0].Name, CarePlanMesh.Standard.Ms932.Encoding.GetBytes(SampleFiles.Text(SampleFiles.Plan).Replace("\r\n", ",extra\r\n")));
        var rejected = (await (await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(files))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var withdrawn = (await (await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(SampleFiles.PlanSendUnit("20250802100000")))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await mesh.WaitForState(careOffice, rejected, "Rejected");
        await mesh.WaitForState(careOffice, withdrawn, "AwaitingPickup");
        await careOffice.PostAsync($"/v1/submissions/{withdrawn}/withdraw", null);
        await mesh.Eventually(async () => await mesh.Count($"notification.emails WHERE body LIKE '%{withdrawn}%'") >= 1
            && await mesh.Count($"notification.notifications WHERE submission_id = '{rejected}' AND topic = 'submission-rejected'") == 1);

        await using var connection = new Npgsql.NpgsqlConnection(mesh.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            """
            SELECT data::text FROM notification.notifications
            UNION ALL SELECT body FROM notification.webhook_deliveries
            UNION ALL SELECT subject || body FROM notification.emails
            """, connection);
        var texts = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                texts.Add(reader.GetString(0));
        Assert.Contains(texts, t => t.Contains(rejected.ToString()));
        Assert.All(texts, AssertNoPersonalData);
    }

    static async Task<(Guid Id, string Secret)> Register(HttpClient client, WebhookReceiver receiver, string[] topics)
    {
        var response = await client.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, topics });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/v1/webhooks/{created.GetProperty("id").GetGuid()}", response.Headers.Location?.OriginalString);
        return (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    /// <summary>The Standard Webhooks spec's verification, written from its text: any "v1," signature of HMAC-SHA256 over id.timestamp.body.</summary>
    static bool SignedBy(string secret, WebhookReceiver.Received received)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.{received.Body}"));
        return received.Signature.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(s[3..]), expected));
    }

    async Task<WebhookReceiver.Received> WaitForWebhook(WebhookReceiver receiver, Func<WebhookReceiver.Received, bool> match)
    {
        WebhookReceiver.Received? found = null;
        await mesh.Eventually(() => Task.FromResult((found = receiver.Requests.FirstOrDefault(match)) is not null));
        return found!;
    }

    async Task<MimeMessage> WaitForMail(string to, Func<MimeMessage, bool> match)
    {
        MimeMessage? found = null;
        await mesh.Eventually(() => Task.FromResult((found = mesh.Smtp.ReceivedEmail
            .Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data))))
            .FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == to) && match(m))) is not null));
        return found!;
    }

    static readonly HashSet<string> Offices = [MeshFixture.CareOffice, MeshFixture.Provider, MeshFixture.OtherProvider, MeshFixture.OrderedCareOffice, MeshFixture.OrderedProvider];

    static void AssertNoPersonalData(string text) => NotificationPrivacy.AssertNoPersonalData(text, Offices, AllowedDataKeys);
}

/// <summary>The public topic names of docs/notifications.md, as a vendor would type them.</summary>
static class NotificationTopicNames
{
    public const string DeliveryAvailable = "delivery.available";
    public const string DeliveryWithdrawn = "delivery.withdrawn";
    public const string SubmissionAcknowledged = "submission.acknowledged";
    public const string PartnershipRequested = "partnership.requested";
    public const string CertificateExpiring = "certificate.expiring";
}
