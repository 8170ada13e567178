namespace CarePlanMesh.Cli.Agent;

/// <summary>The long-running office agent: the outbox loop, the inbox loop, the event stream that wakes them and the local web page.</summary>
public sealed class OfficeAgent(AgentSettings settings, AgentLog log) : IDisposable
{
    static readonly TimeSpan OutboxScan = TimeSpan.FromSeconds(1);

    readonly AgentStore _store = new(settings.Data);
    readonly RelayConnection _relay = new(settings.Url, settings.Certificate, settings.Ca, settings.UserFile);
    readonly Wakeup _inboxWakeup = new();
    readonly Wakeup _outboxWakeup = new();

    public async Task Run(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.Outbox);
        Directory.CreateDirectory(settings.Inbox);
        log.Info($"agent started: outbox and inbox ready, relay {settings.Url.Authority}");
        foreach (var (subject, serial, notAfter) in RelayCertificates.Describe(settings.Relay))
            log.Info($"trusting relay signing certificate {subject} serial {serial} until {notAfter:yyyy-MM-dd}");
        var outbox = new Outbox(settings, _store, _relay, log);
        var inbox = new Inbox(settings, _store, _relay, log);
        inbox.RecheckRefused();
        var events = new EventFeed(_store, _relay, log, _inboxWakeup, _outboxWakeup);
        await Task.WhenAll(
            Loop("outbox", async () =>
            {
                await outbox.Tick(cancellationToken);
                await Task.Delay(OutboxScan, cancellationToken);
            }, cancellationToken),
            Loop("acknowledgements", async () =>
            {
                await outbox.Track(cancellationToken);
                await _outboxWakeup.Wait(settings.Poll, cancellationToken);
            }, cancellationToken),
            Loop("inbox", async () =>
            {
                await inbox.Tick(cancellationToken);
                await _inboxWakeup.Wait(settings.Poll, cancellationToken);
            }, cancellationToken),
            events.Run(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default),
            new Web.AgentPage(settings, _store, _relay, log).Run(cancellationToken));
        log.Info("agent stopped");
    }

    /// <summary>Runs one round after another; a failed round is logged (without its exception text) and retried after a pause.</summary>
    async Task Loop(string name, Func<Task> round, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await round();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or UnauthorizedAccessException or RelayRefusedException or OperationCanceledException or System.Text.Json.JsonException or Microsoft.Data.Sqlite.SqliteException)
            {
                log.Warn($"{name}: {AgentLog.Describe(exception)}; retrying");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public void Dispose() => _relay.Dispose();
}
