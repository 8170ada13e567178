using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace CarePlanMesh.Notification.Notifications;

/// <summary>
/// The trace context an outbox row keeps (its traceparent column): the work that queues a webhook message or an e-mail
/// stores the current W3C traceparent, and the dispatcher's send continues it (StoredTraces.Continue), so a delivery notice's webhook
/// POST and SMTP send appear in the submission's trace however much later they run.
/// </summary>
public static class QueuedTrace
{
    /// <summary>The @traceparent parameter: the current activity's W3C id, or NULL outside any trace.</summary>
    public static NpgsqlParameter Parameter() =>
        new("traceparent", NpgsqlDbType.Text) { Value = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : DBNull.Value };
}
