using System.Globalization;
using System.Security.Claims;
using System.Text;
using CarePlanMesh.Intake.Edge;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Events;

/// <summary>
/// GET /v1/events (issue #11 §4): a Server-Sent Events stream of the signed-in office's events — deliveries that arrive,
/// state changes of its submissions, partnership requests and changes, notifications. Each event has its id (resume with
/// Last-Event-ID, nothing missed within the retention), a type and a JSON body of ids and links. Every replica reads the
/// same table, so an event raised anywhere reaches the stream on whichever replica holds it.
/// </summary>
public static class EventStreamEndpoints
{
    const int Batch = 100;

    public static RouteGroupBuilder MapEvents(this RouteGroupBuilder api)
    {
        // A stream lives as long as the client keeps it: no request deadline.
        api.MapGet("/events", Stream).Produces<Stream>(StatusCodes.Status200OK, "text/event-stream")
            .WithDescription("Server-Sent Events that last as long as the client keeps the connection: each event has an id (send it back as "
                + "Last-Event-ID to resume), a type and a JSON body of ids and links (docs/api.md, 'The event stream').")
            .DisableRequestTimeout();
        return api;
    }

    /// <param name="lastEventId">Resume after this event (the Last-Event-ID header takes precedence), for clients that cannot set headers.</param>
    static async Task<IResult> Stream(HttpContext context, ClaimsPrincipal user, EventStore events, IOptions<EventOptions> options, string? lastEventId)
    {
        var resumeFrom = context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : lastEventId;
        var office = user.Office();
        long last;
        if (resumeFrom is null)
            last = await events.Newest(office, context.RequestAborted);
        else if (!long.TryParse(resumeFrom, NumberStyles.None, CultureInfo.InvariantCulture, out last))
            return Paging.InvalidQuery("Last-Event-ID", "Last-Event-ID is the id of an event this stream sent.", "Last-Event-ID はこのストリームが送ったイベントの id です。");

        var settings = options.Value;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Proxies (nginx) must pass events on as they come.
        response.Headers["X-Accel-Buffering"] = "no";
        await Write(response, $"retry: {(int)settings.PollInterval.TotalMilliseconds * 3}\n\n", context.RequestAborted);
        var quietSince = DateTime.UtcNow;
        try
        {
            while (!context.RequestAborted.IsCancellationRequested)
            {
                var batch = await events.After(office, last, Batch, context.RequestAborted);
                foreach (var item in batch)
                {
                    await Write(response, $"id: {item.Id}\nevent: {item.Type}\ndata: {item.Data}\n\n", context.RequestAborted);
                    last = item.Id;
                }
                if (batch.Count == Batch)
                    continue;
                if (batch.Count > 0)
                    quietSince = DateTime.UtcNow;
                else if (DateTime.UtcNow - quietSince >= settings.Heartbeat)
                {
                    await Write(response, ": heartbeat\n\n", context.RequestAborted);
                    quietSince = DateTime.UtcNow;
                }
                await Task.Delay(settings.PollInterval, context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; it resumes with Last-Event-ID.
        }
        return Results.Empty;
    }

    static async Task Write(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
