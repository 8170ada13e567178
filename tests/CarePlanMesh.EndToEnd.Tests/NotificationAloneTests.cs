using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CarePlanMesh.Contracts;
using CarePlanMesh.Security;
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
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("careplanmesh-notify-").FullName;
    public string PickupDirectory => Path.Combine(Directory, "mail");
    public IBusControl? Bus { get; private set; }
    Process _process = null!;
    string _log = "";

    public async Task InitializeAsync()
    {
        var infrastructure = await Infrastructure.GetAsync();
        var database = await infrastructure.CreateDatabaseAsync("notify");
        var rabbit = await infrastructure.CreateVirtualHostAsync("notify");
        DevelopmentPki.Create(Directory, [new DemoOffice(Office, ["11"], "通知テスト訪問介護事業所")], passwordIterations: 1_000);
        var management = new Uri($"http://127.0.0.1:{FreePort()}");
        _log = Path.Combine(Directory, "notification.log");
        var start = new ProcessStartInfo("dotnet", [MeshFixture.BuiltAssembly(Path.Combine("services", "Notification"), "CarePlanMesh.Notification.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database,
            ["ConnectionStrings__RabbitMq"] = rabbit.ToString(),
            ["ASPNETCORE_URLS"] = management.ToString(),
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["MessageData__Keys__2026a"] = PayloadKeys.Active,
            ["MessageData__ActiveKey"] = "2026a",
            ["Directory__SeedFile"] = Path.Combine(Directory, "offices.json"),
            ["Smtp__PickupDirectory"] = PickupDirectory,
            ["Smtp__Interval"] = "00:00:01",
            ["Webhooks__AllowLoopbackHttp"] = "true",
            ["Webhooks__DisableAfter"] = "00:00:03",
            ["Webhooks__RetryDelays__0"] = "00:00:02", ["Webhooks__RetryDelays__1"] = "00:00:02", ["Webhooks__RetryDelays__2"] = "00:00:02",
        })
            start.Environment[key] = value;
        start.WorkingDirectory = Directory;
        _process = Process.Start(start)!;
        var writer = new StreamWriter(_log) { AutoFlush = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Poll.Until(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"notification exited with code {_process.ExitCode}.\n{Log()}");
            try
            {
                return (await http.GetAsync(new Uri(management, "/health/ready"))).StatusCode == HttpStatusCode.OK;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), () => $"notification was not ready within 90 s.\n{Log()}");

        Bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            var user = rabbit.UserInfo.Split(':');
            cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.AbsolutePath.TrimStart('/'), h => { h.Username(user[0]); h.Password(user[1]); });
        });
        await Bus.StartAsync();
    }

    public async Task<TAnswer> Ask<TRequest, TAnswer>(TRequest request) where TRequest : class where TAnswer : class =>
        (await Bus!.CreateRequestClient<TRequest>(Queues.Address(Queues.NotificationRequests)).GetResponse<TAnswer>(request)).Message;

    /// <summary>The .eml files notification wrote, as a mail program would open them.</summary>
    public IReadOnlyList<MimeMessage> PickedUpMail() => System.IO.Directory.Exists(PickupDirectory)
        ? [.. System.IO.Directory.GetFiles(PickupDirectory, "*.eml").Select(path => MimeMessage.Load(path))]
        : [];

    public string Log()
    {
        using var stream = new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return string.Join("\n", new StreamReader(stream).ReadToEnd().Split('\n').TakeLast(40));
    }

    public async Task DisposeAsync()
    {
        if (Bus is not null)
            await Bus.StopAsync();
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
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
