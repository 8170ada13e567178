using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.ServiceDefaults.Errors;

/// <summary>Writes <see cref="ErrorPolicy"/>'s answer as an RFC 9457 problem (English title/detail, Japanese titleJa/detailJa).</summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var failure = ErrorPolicy.Classify(exception, context);
        var route = (context.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
        if (failure.Status == 500)
            logger.LogError(exception, "{Method} {Route} failed", context.Request.Method, route);
        else
            // Expected under faults: the type says enough, and exception messages may carry addresses.
            logger.LogWarning("{Method} {Route} answered {Status} {Reason} ({ExceptionType})", context.Request.Method, route, failure.Status,
                failure.Reason, exception.GetType().Name);
        if (failure.Status == 499 || context.Response.HasStarted)
        {
            if (!context.Response.HasStarted)
                context.Response.StatusCode = failure.Status;
            return true;
        }
        await Write(context, failure);
        return true;
    }

    /// <summary>Writes the failure as the answer (also the answer of a request past its deadline).</summary>
    public static async Task Write(HttpContext context, ErrorPolicy.Failure failure)
    {
        context.Items[ErrorPolicy.ReasonKey] = failure.Reason;
        context.Response.Clear();
        context.Response.StatusCode = failure.Status;
        if (failure.RetryAfterSeconds is { } seconds)
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = failure.Status,
            Type = $"urn:careplanmesh:problem:{failure.Reason}",
            Title = failure.Title,
            Detail = failure.Detail,
        };
        problem.Extensions["titleJa"] = failure.TitleJa;
        problem.Extensions["detailJa"] = failure.DetailJa;
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        await Results.Problem(problem).ExecuteAsync(context);
    }
}
