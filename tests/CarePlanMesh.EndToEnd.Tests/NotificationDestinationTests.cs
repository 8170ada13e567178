using CarePlanMesh.Contracts;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// Webhooks never go into a private network (SSRF), each on a notification process of its own in Production: such a URL is
/// refused at registration, and a webhook registered while loopback was allowed is refused when it connects once the
/// allowance is gone, without a request reaching its receiver (docs/notifications.md, "Where webhooks may go").
/// </summary>
public sealed class NotificationDestinationTests
{
    const string Office = "3200000411";

    [Fact]
    public async Task In_production_a_webhook_into_a_private_or_local_network_is_refused()
    {
        await using var notification = await NotificationProcess.Start(Office, new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Production" });

        foreach (var url in (string[])["https://10.0.0.1/hook", "https://localhost/hook", "https://169.254.169.254/latest/meta-data/",
                     "https://[::ffff:192.168.0.1]/hook", "https://[fd00::1]/hook", "https://127.0.0.1:8443/hook"])
        {
            var answer = await notification.Ask<RegisterWebhook, WebhookAnswer>(
                new RegisterWebhook { Office = Office, Url = url, Topics = [NotificationTopicNames.DeliveryAvailable] });

            Assert.True((422, "webhook-url") == (answer.Refusal?.Status, answer.Refusal?.Reason), $"{url} was not refused with 422 webhook-url.");
            Assert.Contains("Webhooks:AllowedNetworks", answer.Refusal!.ReasonEn);
            Assert.Contains("プライベート", answer.Refusal.ReasonJa);
            Assert.Null(answer.Webhook);
        }
        Assert.Equal(0, await notification.Count("notification.webhooks"));
    }

    [Fact]
    public async Task A_loopback_webhook_whose_allowance_is_gone_is_refused_at_connect_and_counts_as_a_failed_attempt()
    {
        await using var receiver = await WebhookReceiver.Start();
        await using var notification = await NotificationProcess.Start(Office, new Dictionary<string, string?>
        {
            ["DOTNET_ENVIRONMENT"] = "Production", ["Webhooks__AllowLoopbackHttp"] = "true",
            ["Webhooks__RetryDelays__0"] = "00:00:01", ["Webhooks__RetryDelays__1"] = "00:00:01", ["Webhooks__RetryDelays__2"] = "00:00:01",
        });
        var registered = await notification.Ask<RegisterWebhook, WebhookAnswer>(
            new RegisterWebhook { Office = Office, Url = receiver.Url, Topics = [NotificationTopicNames.DeliveryAvailable] });
        var webhook = registered.Webhook!.Id;
        // While loopback is allowed, the receiver is reached.
        await notification.Ask<TestWebhook, WebhookAnswer>(new TestWebhook { Office = Office, WebhookId = webhook });
        await Poll.Until(() => Task.FromResult(!receiver.Requests.IsEmpty), TimeSpan.FromSeconds(30),
            () => $"The test message did not reach the receiver while loopback was allowed.\n{notification.Log()}");

        await notification.Restart(new Dictionary<string, string?> { ["Webhooks__AllowLoopbackHttp"] = null });
        var test = await notification.Ask<TestWebhook, WebhookAnswer>(new TestWebhook { Office = Office, WebhookId = webhook });

        await Poll.Until(async () => await notification.Count($"notification.webhook_deliveries WHERE id = '{test.MessageId}' AND attempts >= 2") == 1,
            TimeSpan.FromSeconds(30), () => $"The refused message was not tried twice within 30 s.\n{notification.Log()}");
        Assert.Equal(1, await notification.Count($"notification.webhook_deliveries WHERE id = '{test.MessageId}' AND last_status = 0 AND delivered_at IS NULL"));
        Assert.Single(receiver.Requests);
        var log = notification.WholeLog();
        Assert.Contains($"Webhook {webhook} of office {Office} was not sent message {test.MessageId}: its host is in the blocked network 127.0.0.0/8", log);
        Assert.DoesNotContain(receiver.Url, log);
    }
}
