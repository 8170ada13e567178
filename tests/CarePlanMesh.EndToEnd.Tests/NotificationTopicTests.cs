using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text.Json;
using MimeKit;
using StandardWebhooks;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// Issue #12: every topic of docs/notifications.md fires end to end on the running mesh — to a signed webhook (checked with
/// the StandardWebhooks package) and by e-mail (a real SMTP server) — and no notification of any topic, stored or queued for
/// a channel, holds personal data. Time travel (SQL) moves deadlines, certificates and licences instead of waiting days.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class NotificationTopicTests(MeshFixture mesh)
{
    const string Sender = MeshFixture.NoticeCareOffice;
    const string Recipient = MeshFixture.NoticeProvider;

    static readonly string[] EveryTopic =
    [
        "delivery.available", "delivery.pickup-reminder", "submission.rejected", "submission.failed", "submission.expired", "submission.acknowledged",
        "delivery.withdrawn", "send-unit.out-of-order", "partnership.requested", "partnership.approved", "partnership.declined",
        "partnership.suspended", "partnership.ended", "certificate.expiring", "licence.expiring", "licence.expired",
    ];

    static readonly string[] AllowedDataKeys =
    [
        "notificationId", "office", "submissionId", "links", "self", "partnershipId", "requesterOffice", "partnerOffice", "counterpartOffice",
        "state", "changedBy", "changedAt", "thumbprint", "notAfter", "daysLeft", "threshold", "webhookId",
        "errorCount", "warningCount", "reminder", "deadline", "licenceId", "kind", "validTo",
    ];

    [Fact]
    public async Task Every_topic_reaches_a_signed_webhook_and_no_notification_of_any_topic_holds_personal_data()
    {
        await using var senderHook = await WebhookReceiver.Start();
        await using var recipientHook = await WebhookReceiver.Start();
        using var sender = mesh.ClientFor(Sender);
        using var recipient = mesh.ClientFor(Recipient);
        var (senderWebhook, senderSecret) = await Register(sender, senderHook);
        var (recipientWebhook, recipientSecret) = await Register(recipient, recipientHook);
        // Both offices want every topic by e-mail too (the default leaves some out), so every topic's e-mail is checked.
        var emailDefaults = (await sender.GetFromJsonAsync<JsonElement>("/v1/notification-preferences")).GetProperty("emailTopics");
        foreach (var office in new[] { sender, recipient })
            Assert.Equal(HttpStatusCode.OK, (await office.PutAsJsonAsync("/v1/notification-preferences", new { emailTopics = EveryTopic })).StatusCode);

        // submission.rejected, with the defect counts the sender also reads at /v1/submissions/{id}.
        var files = Files("20250901080000");
        files[0] = (files[0].Name, CarePlanMesh.Standard.Ms932.Encoding.GetBytes(CarePlanMesh.Standard.Ms932.Encoding.GetString(files[0].Content).Replace("\r\n", ",extra\r\n")));
        var (rejected, rejectedStatus) = await mesh.SubmitAndWaitFor(sender, files, "Rejected");
        var rejection = Data(await WaitFor(senderHook, "submission.rejected", rejected));
        Assert.True(rejection.GetProperty("errorCount").GetInt32() > 0);
        Assert.Equal(rejectedStatus.GetProperty("errorCount").GetInt32(), rejection.GetProperty("errorCount").GetInt32());
        Assert.Equal(rejectedStatus.GetProperty("warningCount").GetInt32(), rejection.GetProperty("warningCount").GetInt32());
        var rejectionMail = await WaitForMail(Sender, m => (m.TextBody ?? "").Contains(rejected.ToString()));
        Assert.Contains($"エラー {rejection.GetProperty("errorCount").GetInt32()} 件", rejectionMail.TextBody);
        Assert.Contains($"({rejection.GetProperty("errorCount").GetInt32()} errors, {rejection.GetProperty("warningCount").GetInt32()} warnings)", rejectionMail.TextBody);

        // delivery.available, then send-unit.out-of-order to both offices for a unit with a lower 連番.
        var (delivered, _) = await mesh.SubmitAndWaitFor(sender, Files("20250901090000"), "AwaitingPickup");
        await WaitFor(recipientHook, "delivery.available", delivered);
        var (late, _) = await mesh.SubmitAndWaitFor(sender, Files("20250901070000"), "AwaitingPickup");
        // Each side is linked to where it reads the unit: the sender to its submission, the recipient to its mailbox.
        Assert.Equal($"/v1/submissions/{late}", Data(await WaitFor(senderHook, "send-unit.out-of-order", late)).GetProperty("links").GetProperty("self").GetString());
        Assert.Equal($"/v1/mailbox/{late}", Data(await WaitFor(recipientHook, "send-unit.out-of-order", late)).GetProperty("links").GetProperty("self").GetString());

        // delivery.pickup-reminder: the deadline is 12 h away, so the delivery arrived more than 3 days ago and its deadline is
        // within a day; both reminders come once, however many sweeps find the delivery.
        var deadline = await mesh.MoveDeadline(delivered, "now() + interval '12 hours'");
        var reminders = await WaitFor(recipientHook, "delivery.pickup-reminder", delivered, count: 2);
        Assert.Equal(["deadline-near", "unpicked"], reminders.Select(r => Data(r).GetProperty("reminder").GetString()).Order());
        Assert.All(reminders, r => Assert.Equal(deadline, Data(r).GetProperty("deadline").GetDateTimeOffset()));
        Assert.All(reminders, r => Assert.Equal($"/v1/mailbox/{delivered}", Data(r).GetProperty("links").GetProperty("self").GetString()));
        await WaitForMail(Recipient, m => (m.Subject ?? "").Contains("未受取のファイルがあります") && (m.TextBody ?? "").Contains(delivered.ToString()));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(2, await mesh.Count($"notification.notifications WHERE topic = 'delivery.pickup-reminder' AND data->>'submissionId' = '{delivered}'"));

        // submission.acknowledged; submission.expired for the unit left unpicked past its deadline.
        Assert.Equal(HttpStatusCode.OK, (await recipient.GetAsync($"/v1/mailbox/{delivered}")).StatusCode);
        await recipient.PostAsync($"/v1/mailbox/{delivered}/ack", null);
        await WaitFor(senderHook, "submission.acknowledged", delivered);
        await mesh.MoveDeadline(late, "now() - interval '1 second'");
        await WaitFor(senderHook, "submission.expired", late);

        // delivery.withdrawn; submission.failed for a plan signed with another office's certificate.
        var (withdrawn, _) = await mesh.SubmitAndWaitFor(sender, Files("20250901100000"), "AwaitingPickup");
        await sender.PostAsync($"/v1/submissions/{withdrawn}/withdraw", null);
        await WaitFor(recipientHook, "delivery.withdrawn", withdrawn);
        var signed = Files("20250901110000");
        signed[0] = (signed[0].Name + ".p7m", SignAs(Recipient, signed[0].Content));
        var (failed, _) = await mesh.SubmitAndWaitFor(sender, signed, "Failed");
        await WaitFor(senderHook, "submission.failed", failed);

        // certificate.expiring at the 7-day threshold.
        var thumbprint = mesh.OfficeCertificate(Sender).GetCertHashString(HashAlgorithmName.SHA256);
        await mesh.Execute($"UPDATE crypto.office_certificates SET not_after = now() + interval '5 days' WHERE thumbprint = '{thumbprint}'");
        try
        {
            using var crypto = new HttpClient { BaseAddress = mesh.Management["crypto"] };
            await crypto.PostAsync("/certificates/check", null);
            var warning = Data(await WaitFor(senderHook, "certificate.expiring", thumbprint));
            Assert.Equal((7, 4), (warning.GetProperty("threshold").GetInt32(), warning.GetProperty("daysLeft").GetInt32()));
        }
        finally
        {
            await mesh.Execute($"UPDATE crypto.office_certificates SET not_after = now() + interval '700 days' WHERE thumbprint = '{thumbprint}'");
        }

        // licence.expiring (60 days marked, 30 told) and licence.expired, each once however often either routing replica checks.
        await mesh.Execute($"UPDATE routing.licences SET valid_from = valid_from - 400, valid_to = DATE '{Japan.Today.AddDays(20):yyyy-MM-dd}' WHERE office_number = '{Recipient}'");
        try
        {
            using var routing = new HttpClient { BaseAddress = mesh.Management["routing"] };
            using var routing2 = new HttpClient { BaseAddress = mesh.Management["routing-2"] };
            await Task.WhenAll(routing.PostAsync("/licences/check", null), routing2.PostAsync("/licences/check", null));
            var expiring = Data(await WaitFor(recipientHook, "licence.expiring", Recipient));
            Assert.Equal((30, 20, $"{Japan.Today.AddDays(20):yyyy-MM-dd}"),
                (expiring.GetProperty("threshold").GetInt32(), expiring.GetProperty("daysLeft").GetInt32(), expiring.GetProperty("validTo").GetString()));
            await mesh.Execute($"UPDATE routing.licences SET valid_to = DATE '{Japan.Today.AddDays(-1):yyyy-MM-dd}' WHERE office_number = '{Recipient}'");
            await Task.WhenAll(routing.PostAsync("/licences/check", null), routing2.PostAsync("/licences/check", null));
            await WaitFor(recipientHook, "licence.expired", Recipient);
            await WaitForMail(Recipient, m => (m.Subject ?? "").Contains("利用ライセンスの期限が切れました"));
            await routing.PostAsync("/licences/check", null);
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(1, recipientHook.Requests.Count(r => Type(r) == "licence.expired"));
            Assert.Equal(1, recipientHook.Requests.Count(r => Type(r) == "licence.expiring"));
        }
        finally
        {
            await mesh.Execute($"UPDATE routing.licences SET valid_from = valid_from + 400, valid_to = valid_from + 400 + 364 WHERE office_number = '{Recipient}'");
        }

        // partnership.suspended, .approved (resumed), .ended, .requested, .declined, and .approved again: the pair ends as it began.
        var partnerships = await sender.GetFromJsonAsync<JsonElement>("/v1/partnerships");
        var seeded = partnerships.GetProperty("partnerships").EnumerateArray()
            .Single(p => p.GetProperty("state").GetString() == "active" && p.GetRawText().Contains(Recipient)).GetProperty("id").GetGuid();
        await Change(sender, seeded, "suspend");
        await WaitFor(recipientHook, "partnership.suspended", seeded.ToString());
        await Change(sender, seeded, "approve");
        await WaitFor(recipientHook, "partnership.approved", seeded.ToString());
        await Change(sender, seeded, "end");
        await WaitFor(recipientHook, "partnership.ended", seeded.ToString());
        var declined = await Request(sender);
        await WaitFor(recipientHook, "partnership.requested", declined.ToString());
        await Change(recipient, declined, "decline");
        await WaitFor(senderHook, "partnership.declined", declined.ToString());
        var renewed = await Request(sender);
        await Change(recipient, renewed, "approve");
        await WaitFor(senderHook, "partnership.approved", renewed.ToString());

        // The invitation is e-mail only.
        var invited = await sender.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = "2800000398", inviteEmail = "invite-notice@example.jp" });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var invitation = await WaitForMail("invite-notice@example.jp", _ => true);

        var received = senderHook.Requests.Select(r => (r, senderSecret)).Concat(recipientHook.Requests.Select(r => (r, recipientSecret))).ToArray();
        Assert.All(received, x => new StandardWebhook(x.Item2).Verify(x.r.Body, x.r.Headers));
        Assert.Empty(EveryTopic.Except(received.Select(x => Type(x.r))));
        Assert.All(received, x => AssertNoPersonalData(x.r.Body));
        AssertNoPersonalData(invitation.Subject + invitation.TextBody);

        // Everything stored or queued, of every topic, for every office.
        var texts = new List<(string Key, string Text)>();
        await using (var connection = new Npgsql.NpgsqlConnection(mesh.PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                """
                SELECT topic, data::text FROM notification.notifications
                UNION ALL SELECT topic, body FROM notification.webhook_deliveries
                UNION ALL SELECT dedup_key, subject || body FROM notification.emails
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                texts.Add((reader.GetString(0), reader.GetString(1)));
        }
        Assert.All(texts, t => AssertNoPersonalData(t.Text));
        Assert.Contains(texts, t => t.Key.StartsWith("invitation:", StringComparison.Ordinal));

        // One e-mail at least per topic at the real SMTP server: the Japanese subject and body first, the English below.
        var mails = await MailsTo(Sender, Recipient);
        Assert.All(EveryTopic, topic =>
        {
            var (ja, en) = Subjects[topic];
            var mail = mails.First(m => m.Subject == $"[CarePlanMesh] {ja} / {en}");
            var body = mail.TextBody ?? "";
            var english = body.IndexOf("---------------- English ----------------", StringComparison.Ordinal);
            Assert.True(english > 0, $"{topic}: no English part");
            Assert.Contains("このメールは CarePlanMesh から自動送信しています", body[..english]);
            Assert.Contains("Sent automatically by CarePlanMesh", body[english..]);
            Assert.DoesNotMatch("[\\p{IsHiragana}\\p{IsKatakana}]", body[english..]);
            AssertNoPersonalData(mail.Subject + body);
        });

        // Notification's and intake's logs of the whole run hold nothing of the sample files' care recipients, nor any e-mail address.
        foreach (var service in new[] { "notification", "intake", "intake-2" })
        {
            var log = ServiceLog(service);
            Assert.False(string.IsNullOrWhiteSpace(log), $"{service} wrote no log");
            NotificationPrivacy.AssertNoPersonalData(log, Offices, AllowedDataKeys);
            Assert.DoesNotContain("@demo.careplanmesh.example", log);
            Assert.DoesNotContain("invite-notice@example.jp", log);
        }
        foreach (var office in new[] { sender, recipient })
            await office.PutAsJsonAsync("/v1/notification-preferences", new { emailTopics = emailDefaults });
        await sender.DeleteAsync($"/v1/webhooks/{senderWebhook}");
        await recipient.DeleteAsync($"/v1/webhooks/{recipientWebhook}");
    }

    /// <summary>The e-mail subjects of docs/notifications.md, Japanese and English, by topic.</summary>
    static readonly Dictionary<string, (string Ja, string En)> Subjects = new()
    {
        ["delivery.available"] = ("新しいファイルが届きました", "A new delivery is waiting"),
        ["delivery.pickup-reminder"] = ("未受取のファイルがあります", "A delivery is still waiting"),
        ["submission.rejected"] = ("送信したファイルが差し戻されました", "Your submission was rejected"),
        ["submission.failed"] = ("送信が完了しませんでした", "Your submission failed"),
        ["submission.expired"] = ("送信したファイルが期限切れになりました", "Your delivery expired"),
        ["submission.acknowledged"] = ("送信したファイルが受領されました", "Your delivery was acknowledged"),
        ["delivery.withdrawn"] = ("送信が取り下げられました", "A delivery was withdrawn"),
        ["send-unit.out-of-order"] = ("連番の順序が逆になっています", "A send unit arrived out of order"),
        ["partnership.requested"] = ("連携の申請が届きました", "A partnership request"),
        ["partnership.approved"] = ("連携が承認されました", "Partnership approved"),
        ["partnership.declined"] = ("連携が辞退されました", "Partnership declined"),
        ["partnership.suspended"] = ("連携が一時停止されました", "Partnership suspended"),
        ["partnership.ended"] = ("連携が終了しました", "Partnership ended"),
        ["certificate.expiring"] = ("証明書の有効期限が近づいています", "Your certificate expires soon"),
        ["licence.expiring"] = ("利用ライセンスの期限が近づいています", "Your licence ends soon"),
        ["licence.expired"] = ("利用ライセンスの期限が切れました", "Your licence has ended"),
    };

    static (string Name, byte[] Content)[] Files(string serial) => SampleFiles.PlanSendUnit(serial, Sender, Recipient);

    /// <summary>Every message the SMTP server has taken for the offices, once each has arrived (the e-mail loop runs after the webhooks').</summary>
    async Task<List<MimeMessage>> MailsTo(params string[] offices)
    {
        var addresses = offices.Select(o => $"office-{o}@demo.careplanmesh.example").ToHashSet();
        List<MimeMessage> mails = [];
        await mesh.Eventually(() =>
        {
            mails = [.. mesh.Smtp.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data))))
                .Where(m => m.To.Mailboxes.Any(a => addresses.Contains(a.Address)))];
            return Task.FromResult(Subjects.Values.All(s => mails.Any(m => m.Subject == $"[CarePlanMesh] {s.Ja} / {s.En}")));
        });
        return mails;
    }

    /// <summary>Everything a service of the mesh wrote to its output, across restarts.</summary>
    string ServiceLog(string service)
    {
        using var stream = new FileStream(Path.Combine(mesh.DemoDirectory, $"{service}.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    byte[] SignAs(string office, byte[] content)
    {
        var signed = new SignedCms(new ContentInfo(content), detached: false);
        signed.ComputeSignature(new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, mesh.OfficeCertificate(office)) { DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1") }, silent: true);
        return signed.Encode();
    }

    static async Task Change(HttpClient office, Guid partnership, string action) =>
        Assert.Equal(HttpStatusCode.OK, (await office.PostAsync($"/v1/partnerships/{partnership}/{action}", null)).StatusCode);

    static async Task<Guid> Request(HttpClient office)
    {
        var response = await office.PostAsJsonAsync("/v1/partnerships", new { partnerOffice = Recipient });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    static async Task<(Guid Id, string Secret)> Register(HttpClient office, WebhookReceiver receiver)
    {
        var response = await office.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, topics = EveryTopic });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    static string Type(WebhookReceiver.Received received) => JsonDocument.Parse(received.Body).RootElement.GetProperty("type").GetString()!;

    static JsonElement Data(WebhookReceiver.Received received) => JsonDocument.Parse(received.Body).RootElement.GetProperty("data");

    /// <summary>Waits for a message of the topic whose body mentions <paramref name="about"/>; returns the first <paramref name="count"/>.</summary>
    async Task<WebhookReceiver.Received[]> WaitFor(WebhookReceiver receiver, string topic, object about, int count)
    {
        WebhookReceiver.Received[] found = [];
        await mesh.Eventually(() => Task.FromResult((found = [.. receiver.Requests.Where(r => Type(r) == topic && r.Body.Contains(about.ToString()!))]).Length >= count));
        return found;
    }

    async Task<WebhookReceiver.Received> WaitFor(WebhookReceiver receiver, string topic, object about) => (await WaitFor(receiver, topic, about, 1))[0];

    async Task<MimeMessage> WaitForMail(string office, Func<MimeMessage, bool> match)
    {
        var to = office.Contains('@') ? office : $"office-{office}@demo.careplanmesh.example";
        MimeMessage? found = null;
        await mesh.Eventually(() => Task.FromResult((found = mesh.Smtp.ReceivedEmail
            .Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data))))
            .FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == to) && match(m))) is not null));
        return found!;
    }

    static readonly HashSet<string> Offices = [MeshFixture.CareOffice, MeshFixture.Provider];

    static void AssertNoPersonalData(string text) => NotificationPrivacy.AssertNoPersonalData(text, Offices, AllowedDataKeys);
}
