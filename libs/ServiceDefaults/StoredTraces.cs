using System.Diagnostics;

namespace CarePlanMesh.ServiceDefaults;

/// <summary>
/// Work that runs later than the trace that caused it — a re-drive, a reminder, an outbox send, a recipient's request —
/// and finds that trace's W3C traceparent stored beside it (a column of the saga row or the outbox row).
/// </summary>
public static class StoredTraces
{
    /// <summary>A span that continues the stored trace as its child (a root span when nothing, or nothing valid, was stored).</summary>
    public static Activity? Continue(string name, ActivityKind kind, string? traceParent) =>
        ServiceDefaultsExtensions.ActivitySource.StartActivity(name, kind,
            ActivityContext.TryParse(traceParent, null, isRemote: true, out var stored) ? stored : default);

    /// <summary>Links the current span, a trace of its own (the recipient's request), to the stored trace.</summary>
    public static void Link(string? traceParent)
    {
        if (ActivityContext.TryParse(traceParent, null, isRemote: true, out var stored))
            Activity.Current?.AddLink(new ActivityLink(stored));
    }
}
