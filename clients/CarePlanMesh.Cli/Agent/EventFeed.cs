namespace CarePlanMesh.Cli.Agent;

/// <summary>
/// Follows GET /v1/events (server-sent events) and wakes the inbox on a new delivery and the outbox on a state change.
/// The last event id is kept in the agent's store, so a restart resumes with Last-Event-ID; polling covers the gaps.
/// </summary>
public sealed class EventFeed(AgentStore store, RelayConnection relay, AgentLog log, Wakeup inbox, Wakeup outbox)
{
    const string LastEventId = "last-event-id";
    static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(5);

    public async Task Run(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Follow(cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is HttpRequestException or IOException or RelayRefusedException or OperationCanceledException)
            {
                log.Warn($"event stream interrupted: {AgentLog.Describe(exception)}");
            }
            await Task.Delay(Reconnect, cancellationToken);
        }
    }

    async Task Follow(CancellationToken cancellationToken)
    {
        using var response = await relay.Send(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events");
            request.Headers.Accept.ParseAdd("text/event-stream");
            if (store.Setting(LastEventId) is { } last)
                request.Headers.Add("Last-Event-ID", last);
            return request;
        }, cancellationToken, streaming: true);
        if (!response.IsSuccessStatusCode)
        {
            log.Warn($"event stream: relay answered {(int)response.StatusCode}");
            return;
        }
        log.Info("event stream connected");
        // What happened while disconnected is caught up by one round of each loop.
        inbox.Signal();
        outbox.Signal();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? id = null, type = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("id:", StringComparison.Ordinal))
                id = line[3..].Trim();
            else if (line.StartsWith("event:", StringComparison.Ordinal))
                type = line[6..].Trim();
            else if (line.Length == 0)
            {
                if (type == "delivery.arrived")
                    inbox.Signal();
                else if (type == "submission.state-changed")
                    outbox.Signal();
                if (id is not null)
                    store.SetSetting(LastEventId, id);
                (id, type) = (null, null);
            }
        }
    }
}
