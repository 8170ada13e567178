using CarePlanMesh.Contracts;
using MassTransit;
using MimeKit;
using StandardWebhooks;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// The notification process alone, as a local run starts it: no SMTP host, so e-mail goes to the .eml pickup folder; a
/// webhook that keeps failing is disabled after Webhooks:DisableAfter, here a few seconds. Commands and requests come on the
/// bus, as intake and the saga send them.
/// </summary>
public sealed class NotificationAloneFixture : IAsyncLifetime
{
    public const string Office = "2900000210";
    NotificationProcess _notification = null!;
    public string PickupDirectory => Path.Combine(_notification.Directory, "mail");
    public IBusControl? Bus => _notification.Bus;

    public async Task InitializeAsync() =>
        _notification = await NotificationProcess.Start(Office, new Dictionary<string, string?>
        {
            ["Smtp__PickupDirectory"] = "mail",
            ["Smtp__Interval"] = "00:00:01",
            ["Webhooks__AllowLoopbackHttp"] = "true",
            ["Webhooks__DisableAfter"] = "00:00:03",
            ["Webhooks__RetryDelays__0"] = "00:00:02", ["Webhooks__RetryDelays__1"] = "00:00:02", ["Webhooks__RetryDelays__2"] = "00:00:02",
        });

    public Task<TAnswer> Ask<TRequest, TAnswer>(TRequest request) where TRequest : class where TAnswer : class => _notification.Ask<TRequest, TAnswer>(request);

    /// <summary>The .eml files notification wrote, as a mail program would open them.</summary>
    public IReadOnlyList<MimeMessage> PickedUpMail() => System.IO.Directory.Exists(PickupDirectory)
        ? [.. System.IO.Directory.GetFiles(PickupDirectory, "*.eml").Select(path => MimeMessage.Load(path))]
        : [];

    public string Log() => _notification.Log();

    public async Task DisposeAsync() => await _notification.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class NotificationAloneCollection : ICollectionFixture<NotificationAloneFixture>
{
    public const string Name = "notification alone";
}

[Collection(NotificationAloneCollection.Name)]
public sealed class NotificationAloneTests(NotificationAloneFixture notification)
{
    static readonly string Address = $"office-{NotificationAloneFixture.Office}@demo.careplanmesh.example";

    [Fact]
    public async Task Without_an_smtp_host_each_e_mail_is_an_eml_file_in_the_pickup_folder()
    {
        var submission = NewId.NextGuid();
        await (await notification.Bus!.GetSendEndpoint(Queues.Address(Queues.NotifyOffice))).Send(new NotifyOffice
        {
            SubmissionId = submission,
            OfficeNumber = NotificationAloneFixture.Office,
            Topic = NotificationTopics.DeliveryAvailable,
        });

        var mail = await WaitForMail(m => (m.TextBody ?? "").Contains(submission.ToString()));

        Assert.Equal(Address, Assert.Single(mail.To.Mailboxes).Address);
        Assert.Contains("新しいファイルが届きました", mail.Subject);
        Assert.Contains("A new send unit is waiting", mail.TextBody);
        Assert.Empty(System.IO.Directory.GetFiles(notification.PickupDirectory, "*.tmp"));
    }

    [Fact]
    public async Task A_webhook_failing_for_longer_than_DisableAfter_is_disabled_and_its_office_told_by_e_mail()
    {
        await using var receiver = await WebhookReceiver.Start();
        receiver.Answer = _ => Task.FromResult(503);
        var registered = await notification.Ask<RegisterWebhook, WebhookAnswer>(new RegisterWebhook
        {
            Office = NotificationAloneFixture.Office,
            Url = receiver.Url,
            Topics = [NotificationTopicNames.DeliveryAvailable],
        });
        var webhook = registered.Webhook!.Id;

        await notification.Ask<TestWebhook, WebhookAnswer>(new TestWebhook { Office = NotificationAloneFixture.Office, WebhookId = webhook });
        var told = await WaitForMail(m => (m.TextBody ?? "").Contains(receiver.Url));

        Assert.Contains("Webhook を停止しました", told.Subject);
        Assert.Contains("kept failing", told.TextBody);
        Assert.Equal(Address, Assert.Single(told.To.Mailboxes).Address);
        var listed = await notification.Ask<ListWebhooks, WebhookAnswer>(new ListWebhooks { Office = NotificationAloneFixture.Office });
        var view = Assert.Single(listed.Webhooks, w => w.Id == webhook);
        Assert.NotNull(view.DisabledAt);
        Assert.True(view.DisabledAt - view.FailingSince >= TimeSpan.FromSeconds(3));
        // Every attempt was the same signed message; none came after the webhook was disabled.
        var attempts = receiver.Requests.ToArray();
        Assert.True(attempts.Length >= 2);
        Assert.All(attempts, r => new StandardWebhook(registered.Secret!).Verify(r.Body, r.Headers));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(attempts.Length, receiver.Requests.Count);
    }

    async Task<MimeMessage> WaitForMail(Func<MimeMessage, bool> match)
    {
        MimeMessage? found = null;
        await Poll.Until(() => Task.FromResult((found = notification.PickedUpMail().FirstOrDefault(match)) is not null), TimeSpan.FromSeconds(30),
            () => $"No such e-mail in {notification.PickupDirectory} within 30 s.\n{notification.Log()}");
        return found!;
    }
}
