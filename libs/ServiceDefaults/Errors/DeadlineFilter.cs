using Microsoft.AspNetCore.Http;

namespace CarePlanMesh.ServiceDefaults.Errors;

/// <summary>
/// Stops waiting for a handler once the request's deadline (or the client) cancels it, even when what the handler awaits
/// ignores cancellation — MassTransit retries a send the broker refuses without end. The request then ends as
/// <see cref="ErrorPolicy"/> says (503 past the deadline); the abandoned work finishes or fails on its own, and every
/// step it takes is idempotent or checked by the saga.
/// </summary>
public sealed class DeadlineFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await next(context).AsTask().WaitAsync(context.HttpContext.RequestAborted);
}
