using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Errors;

/// <summary>
/// Marks a queue whose messages a sweeper re-sends from the database when their step is overdue (the submission saga's
/// step commands). A transient failure that outlasts the retries is then left to the sweeper instead of the error queue,
/// so the error queue keeps only what needs an operator and never a stale copy of work the sweeper has since finished.
/// </summary>
public sealed record RedrivenBySweeper(string Queue);

sealed class LeaveTransientFailuresToSweeper(ILogger logger, Counter<long> left) : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception exception) when (TransientErrors.IsTransient(exception) && !context.CancellationToken.IsCancellationRequested)
        {
            var queue = context.ReceiveContext.InputAddress.AbsolutePath.Trim('/');
            left.Add(1, new KeyValuePair<string, object?>("queue", queue));
            logger.LogWarning("Message {MessageId} on {Queue} still failed transiently after its retries ({ExceptionType}); the sweeper re-sends it when its step is overdue",
                context.MessageId, queue, exception.GetType().Name);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("leaveTransientFailuresToSweeper");
}
