using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Errors;

/// <summary>
/// Outside the retries of every endpoint: a request (it names a response address) that still fails transiently after its
/// retries, when its time to live has passed, is dropped — acknowledged, never moved to the error queue. Its requester gave
/// up at its timeout (Bus:RequestTimeout, which MassTransit also sets as the request's time to live) and its caller was
/// answered 503 long ago, so a copy in the error queue would only look like work to do after an outage that outlasted the
/// retries. A request that fails for any other reason (a bug), or fails while its requester still waits, goes to the error
/// queue as before. Expiry is judged by the wall clock, as MassTransit stamps it.
/// </summary>
sealed class DropExpiredRequests(ILogger logger, Counter<long> dropped) : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception exception) when (context.ResponseAddress is not null && context.ExpirationTime is { } expires && expires <= DateTime.UtcNow
            && TransientErrors.IsTransient(exception))
        {
            var queue = context.ReceiveContext.InputAddress.AbsolutePath.Trim('/').Split('/')[^1];
            dropped.Add(1, new KeyValuePair<string, object?>("queue", queue));
            logger.LogWarning("A request on {Queue} still failed transiently after its retries and its requester has given up (expired {Expired:u}); dropped, not moved to the error queue ({ExceptionType})",
                queue, expires, exception.GetType().Name);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("dropExpiredRequests");
}
