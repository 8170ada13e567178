using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Errors;

/// <summary>
/// Marks a queue whose messages a sweeper re-sends from the database when their step is overdue (the submission saga's
/// step commands). A transient failure that outlasts the retries is then left to the sweeper instead of the error queue,
/// so the error queue keeps only what needs an operator and never a stale copy of work the sweeper has since finished.
/// (The consumer's Fault&lt;T&gt; is still published; the saga ignores faults that <see cref="TransientErrors"/> judges transient.)
/// </summary>
public sealed record RedrivenBySweeper(string Queue);

/// <summary>First in the error pipe of a <see cref="RedrivenBySweeper"/> queue: a transient failure is dropped (no fault, no error queue), anything else goes on to the usual fault and error-queue filters.</summary>
sealed class LeaveTransientFailuresToSweeper(ILogger logger, Counter<long> left) : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (!TransientErrors.IsTransient(context.Exception))
            return next.Send(context);
        var queue = context.InputAddress.AbsolutePath.Trim('/');
        left.Add(1, new KeyValuePair<string, object?>("queue", queue));
        logger.LogWarning("A message on {Queue} still failed transiently after its retries ({ExceptionType}); the sweeper re-sends it when its step is overdue",
            queue, context.Exception.GetType().Name);
        return Task.CompletedTask;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("leaveTransientFailuresToSweeper");
}
