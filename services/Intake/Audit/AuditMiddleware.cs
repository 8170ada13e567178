using System.Security.Claims;
using CarePlanMesh.Intake.Edge;

namespace CarePlanMesh.Intake.Audit;

/// <summary>Marks an endpoint whose every call is audited under this action name; other calls are audited only when refused.</summary>
public sealed record AuditAction(string Name);

/// <summary>
/// Writes every audited call and every refusal (401, 403, 404, 409, 422, ...) on the public API to the audit trail:
/// office, action, subject id, status and the problem's reason code. Never bodies, file names or personal data.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditTrail trail, ILogger<AuditMiddleware> logger)
{
    public const string ReasonKey = ServiceDefaults.Errors.ErrorPolicy.ReasonKey;
    public const string SubjectKey = "careplanmesh.audit.subject";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (context.Request.Path.StartsWithSegments("/v1"))
        {
            // Audited as the error policy will answer it; the policy's handler further out writes the problem.
            var failure = ServiceDefaults.Errors.ErrorPolicy.Classify(exception, context);
            await Write(context, failure.Status, failure.Reason);
            throw;
        }
        if (context.Request.Path.StartsWithSegments("/v1"))
            await Write(context, context.Response.StatusCode, context.Items[ReasonKey] as string);
    }

    async Task Write(HttpContext context, int status, string? reason)
    {
        var action = context.GetEndpoint()?.Metadata.GetMetadata<AuditAction>()?.Name;
        if (action is null && status < 400)
            return;
        var office = context.User.FindFirstValue(OfficeCertificateAuthentication.OfficeClaim);
        var subject = context.Items[SubjectKey] as string ?? (context.Request.RouteValues.TryGetValue("id", out var id) ? id?.ToString()
            : context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location[(location.LastIndexOf('/') + 1)..] : null);
        var entry = new AuditEntry(office, action ?? (status == 401 ? "authentication" : $"{context.Request.Method} {RoutePattern(context)}"),
            subject, status < 400, status, reason);
        try
        {
            await trail.Append(entry, CancellationToken.None);
        }
        catch (Npgsql.NpgsqlException exception)
        {
            // The call has been answered; losing its audit row must at least be loud.
            logger.LogError("Could not write the audit entry for {Action} ({Status}): {ExceptionType}", entry.Action, status, exception.GetType().Name);
        }
    }

    static string RoutePattern(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
}
