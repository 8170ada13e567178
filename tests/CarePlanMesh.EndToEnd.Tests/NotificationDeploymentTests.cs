using CarePlanMesh.Contracts;
using MassTransit;
using MimeKit;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// Issue #12 §1–§2 as a deployment sees them, each on a notification process of its own: plain http to loopback only in
/// Development, and e-mail that the SMTP server refused is still sent, once, after a restart of notification.
/// </summary>
public sealed class NotificationDeploymentTests
{
    const string Office = "3200000403";

    [Fact]
    public async Task In_production_without_AllowLoopbackHttp_an_http_webhook_on_loopback_is_refused()
    {
        await using var notification = await NotificationProcess.Start(Office, new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Production" });

        var answer = await notification.Ask<RegisterWebhook, WebhookAnswer>(
            new RegisterWebhook { Office = Office, Url = "http://127.0.0.1:9/hook", Topics = [NotificationTopicNames.DeliveryAvailable] });

        Assert.Equal((422, "webhook-url"), (answer.Refusal?.Status, answer.Refusal?.Reason));
        Assert.False(string.IsNullOrEmpty(answer.Refusal!.ReasonJa));
        Assert.Null(answer.Webhook);
        Assert.Equal(0, await notification.Count("notification.webhooks"));
    }

    [Fact]
    public async Task In_development_an_http_webhook_on_loopback_is_accepted_and_one_elsewhere_is_not()
    {
        await using var notification = await NotificationProcess.Start(Office, new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Development" });

        var loopback = await notification.Ask<RegisterWebhook, WebhookAnswer>(
            new RegisterWebhook { Office = Office, Url = "http://127.0.0.1:9/hook", Topics = [NotificationTopicNames.DeliveryAvailable] });
        var elsewhere = await notification.Ask<RegisterWebhook, WebhookAnswer>(
            new RegisterWebhook { Office = Office, Url = "http://hooks.example.jp/hook", Topics = [NotificationTopicNames.DeliveryAvailable] });

        Assert.Null(loopback.Refusal);
        Assert.Equal("http://127.0.0.1:9/hook", loopback.Webhook?.Url);
        Assert.StartsWith("whsec_", loopback.Secret);
        Assert.Equal((422, "webhook-url"), (elsewhere.Refusal?.Status, elsewhere.Refusal?.Reason));
    }

    [Fact]
    public async Task An_e_mail_the_smtp_server_refused_is_sent_exactly_once_after_notification_restarts_and_the_server_is_back()
    {
        var port = Infrastructure.FreePort();
        await using var notification = await NotificationProcess.Start(Office, new Dictionary<string, string?>
        {
            ["Smtp__Host"] = "127.0.0.1", ["Smtp__Port"] = port.ToString(), ["Smtp__Security"] = "None",
            ["Smtp__RetryBase"] = "00:00:01", ["Smtp__Interval"] = "00:00:01",
        });
        var submission = NewId.NextGuid();

        // Nothing listens on the port: the server refuses the connection.
        await notification.Send(Queues.NotifyOffice, new NotifyOffice { SubmissionId = submission, OfficeNumber = Office, Topic = NotificationTopics.DeliveryAvailable });
        await Poll.Until(async () => await notification.Count("notification.emails WHERE sent_at IS NULL AND attempts >= 1") == 1, TimeSpan.FromSeconds(30),
            () => $"The e-mail was not tried within 30 s.\n{notification.Log()}");
        await notification.Restart();
        using var smtp = netDumbster.smtp.SimpleSmtpServer.Start(port);

        await Poll.Until(() => Task.FromResult(smtp.ReceivedEmailCount > 0), TimeSpan.FromSeconds(60),
            () => $"No e-mail reached the SMTP server within 60 s of its start.\n{notification.Log()}");
        await Poll.Until(async () => await notification.Count("notification.emails WHERE sent_at IS NOT NULL") == 1, TimeSpan.FromSeconds(10),
            () => $"The e-mail was not marked sent.\n{notification.Log()}");
        await Task.Delay(TimeSpan.FromSeconds(3));

        var mail = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Assert.Single(smtp.ReceivedEmail).Data)));
        Assert.Equal($"office-{Office}@demo.careplanmesh.example", Assert.Single(mail.To.Mailboxes).Address);
        Assert.Contains(submission.ToString(), mail.TextBody);
        Assert.Contains("新しいファイルが届きました", mail.Subject);
        // The log names the message and the error's type, never the address.
        var log = notification.WholeLog();
        Assert.Contains("was not accepted", log);
        Assert.DoesNotContain("@demo.careplanmesh.example", log);
    }
}
