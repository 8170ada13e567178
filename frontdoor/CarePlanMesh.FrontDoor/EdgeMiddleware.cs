using System.Diagnostics;
using CarePlanMesh.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace CarePlanMesh.FrontDoor;

/// <summary>What the front door does to each request before and after it goes to an intake replica.</summary>
public static class EdgeMiddleware
{
    static readonly ErrorPolicy.Failure IntakeUnavailable = new(503, "intake-unavailable", "The relay is not answering", "中継サーバーが応答していません",
        "No intake replica answered. Nothing was received; please try again shortly.",
        "受付サーバーが応答しませんでした。何も受け付けていません。しばらくしてから再度お試しください。", 5);

    static readonly ErrorPolicy.Failure CertificateNotTrusted = new(401, "client-certificate", "Client certificate not accepted", "クライアント証明書を受け付けられません",
        "The client certificate was not issued by the relay's CA for client authentication, or is outside its validity; connect with your office's certificate.",
        "クライアント証明書が中継の認証局から発行されたものでないか、有効期間外です。事業所の証明書で接続してください。");

    static ErrorPolicy.Failure TooLarge(long limit) => new(413, "too-large", "Request too large", "要求が大きすぎます",
        $"The request body is over the relay's limit of {limit} bytes.", $"要求の本文が上限（{limit}バイト）を超えています。");

    static readonly object ChainCheckKey = new();

    /// <summary>The management address serves health and metrics only; nothing reaches intake through it.</summary>
    public static Task PublicPortOnly(HttpContext context, Func<Task> next, int publicPort)
    {
        if (context.Connection.LocalPort == publicPort)
            return next();
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    /// <summary>
    /// The caller's X-Request-Id when it is a plain token, else the trace id: tagged on the trace, sent on to intake and
    /// returned to the caller, so one id finds the request in every log and trace.
    /// </summary>
    public static Task RequestId(HttpContext context, Func<Task> next)
    {
        var given = context.Request.Headers[IntakeProxy.RequestIdHeader].ToString();
        var id = given.Length is > 0 and <= 128 && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? given
            : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        context.Request.Headers[IntakeProxy.RequestIdHeader] = id;
        // Set as the answer starts: a problem written here clears the headers set before.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[IntakeProxy.RequestIdHeader] = id;
            return Task.CompletedTask;
        });
        Activity.Current?.SetTag("http.request.header.x-request-id", id);
        return next();
    }

    /// <summary>A body declared larger than the limit is refused before anything reaches intake (a longer chunked one fails while read).</summary>
    public static Task SizeLimit(HttpContext context, Func<Task> next, long limit) =>
        context.Request.ContentLength > limit ? ProblemExceptionHandler.Write(context, TooLarge(limit)) : next();

    /// <summary>
    /// A certificate that does not chain to the office CA is answered here; a missing one goes on, so that intake answers
    /// with its own problem. The result is kept per connection: the certificate cannot change on it.
    /// </summary>
    public static Task ClientCertificate(HttpContext context, Func<Task> next, OfficeCertificateChain chain)
    {
        if (context.Connection.ClientCertificate is not { } certificate)
            return next();
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items?.TryGetValue(ChainCheckKey, out var known) != true || known is not bool trusted)
        {
            trusted = chain.IsTrusted(certificate);
            if (items is not null)
                items[ChainCheckKey] = trusted;
        }
        return trusted ? next() : ProblemExceptionHandler.Write(context, CertificateNotTrusted);
    }

    /// <summary>
    /// A request that could not be handed to a replica: one without a body is tried on another replica when the connection
    /// failed; otherwise the caller gets a problem document (413 over the limit, 503 past a deadline or with no replica
    /// answering), never an empty 502.
    /// </summary>
    public static async Task ForwardingErrorsAsProblems(HttpContext context, Func<Task> next)
    {
        var proxy = context.Features.Get<IReverseProxyFeature>()!;
        var tried = new List<DestinationState>();
        while (true)
        {
            await next();
            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is null || context.Response.HasStarted)
                return;
            if (error.Error == ForwarderError.Request && !HasBody(context.Request) && proxy.ProxiedDestination is { } failed && !context.RequestAborted.IsCancellationRequested)
            {
                tried.Add(failed);
                var others = proxy.AllDestinations.Where(d => !tried.Contains(d)).ToList();
                if (others.Count > 0)
                {
                    context.Features.Set<IForwarderErrorFeature>(null);
                    context.Response.StatusCode = StatusCodes.Status200OK;
                    proxy.AvailableDestinations = others;
                    continue;
                }
            }
            await Answer(context, error);
            return;
        }
    }

    static Task Answer(HttpContext context, IForwarderErrorFeature error)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EdgeMiddleware));
        var replica = context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination?.DestinationId ?? "none";
        if (error.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            return ProblemExceptionHandler.Write(context, TooLarge(context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0));
        if (context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true)
        {
            logger.LogWarning("Forwarding to {Replica} passed the deadline ({Error})", replica, error.Error);
            return ProblemExceptionHandler.Write(context, ErrorPolicy.DeadlinePassed);
        }
        // The caller went away or broke its own body: nobody is left to read an answer.
        if (context.RequestAborted.IsCancellationRequested || error.Error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient)
            return Task.CompletedTask;
        // The exception's type says enough; its message may carry addresses.
        logger.LogWarning("Forwarding to {Replica} failed: {Error} ({ExceptionType})", replica, error.Error, error.Exception?.GetType().Name ?? "-");
        return ProblemExceptionHandler.Write(context, IntakeUnavailable);
    }

    static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
}
