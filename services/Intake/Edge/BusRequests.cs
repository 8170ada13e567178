using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Edge;

/// <summary>The service an endpoint asks over the bus, as its 503 names it when it does not answer.</summary>
public sealed record AskedService(string Reason, string Title, string TitleJa)
{
    public static readonly AskedService Routing = new("routing-unavailable", "Routing is not answering", "配信サービスが応答しません");
    public static readonly AskedService Notification = new("notification-unavailable", "Notification is not answering", "通知サービスが応答しません");
}

public static class BusRequests
{
    /// <summary>
    /// Asks another service and waits for its answer no longer than the HTTP request may run. MassTransit's own timeout
    /// (Bus:RequestTimeout) starts only once the request is sent, and a send the broker refuses is retried without end: the
    /// wait ends when <paramref name="cancellationToken"/> (the request's deadline, Http:RequestTimeout) is cancelled, and
    /// the error policy's 503 follows at once.
    /// </summary>
    public static async Task<TResponse> Answer<TRequest, TResponse>(this IRequestClient<TRequest> client, TRequest request, CancellationToken cancellationToken)
        where TRequest : class where TResponse : class =>
        (await client.GetResponse<TResponse>(request, cancellationToken).WaitAsync(cancellationToken)).Message;

    /// <summary>
    /// Asks another service and turns its answer into a result; no answer within Intake:RouteCheckTimeout is a 503 naming
    /// the service. Bounded on both sides: MassTransit retries a send the broker refuses without end.
    /// </summary>
    public static async Task<IResult> Ask<TRequest, TResponse>(this IRequestClient<TRequest> client, AskedService service, TRequest request,
        IOptions<IntakeOptions> options, CancellationToken cancellationToken, Func<TResponse, IResult> answer)
        where TRequest : class where TResponse : class
    {
        var timeout = options.Value.RouteCheckTimeout;
        try
        {
            var response = await client.GetResponse<TResponse>(request, cancellationToken, RequestTimeout.After(ms: (int)timeout.TotalMilliseconds))
                .WaitAsync(timeout, cancellationToken);
            return answer(response.Message);
        }
        catch (Exception exception) when (exception is RequestTimeoutException or TimeoutException)
        {
            return Problems.Of(503, service.Reason, service.Title, service.TitleJa,
                "Nothing was changed; please try again shortly.", "何も変更していません。しばらくしてから再度お試しください。");
        }
    }
}
