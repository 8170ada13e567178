using MassTransit;
using Microsoft.AspNetCore.Http;

namespace CarePlanMesh.ServiceDefaults.Errors;

/// <summary>
/// What a caller is told when a request throws: one decision for every endpoint of every service. A dependency that does
/// not answer is a 503 with Retry-After, a body that cannot be read is a 400, anything else a 500 — never the exception's
/// type, message or stack.
/// </summary>
public static class ErrorPolicy
{
    /// <summary>HttpContext.Items key under which the problem's reason code is left for the audit trail.</summary>
    public const string ReasonKey = "careplanmesh.audit.reason";

    public sealed record Failure(int Status, string Reason, string Title, string TitleJa, string Detail, string DetailJa, int? RetryAfterSeconds = null);

    /// <summary>A request that outlives its deadline (Http:RequestTimeout): something it waits for does not answer.</summary>
    public static readonly Failure DeadlinePassed = new(503, "request-timeout", "The request took too long", "要求の処理が時間内に終わりませんでした",
        "Something this request needs did not answer in time. Check the state of what you asked for, then try again shortly.",
        "この要求に必要な処理が時間内に応答しませんでした。状態を確認してから、しばらくして再度お試しください。", 10);

    public static Failure Classify(Exception exception, HttpContext context) => exception switch
    {
        OperationCanceledException when context.Features.Get<Microsoft.AspNetCore.Http.Timeouts.IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true =>
            DeadlinePassed,
        _ when context.RequestAborted.IsCancellationRequested && exception is OperationCanceledException or IOException =>
            new(499, "client-closed-request", "Client closed the request", "要求が中断されました",
                "The connection was closed before the answer.", "応答の前に接続が閉じられました。"),
        RequestTimeoutException or RequestCanceledException =>
            new(503, "dependency-unavailable", "A relay service is not answering", "中継サービスが応答していません",
                "A service this request needs did not answer in time. Check the state of what you asked for, then try again shortly.",
                "この要求に必要なサービスが時間内に応答しませんでした。状態を確認してから、しばらくして再度お試しください。", 10),
        _ when TransientErrors.IsDatabaseUnavailable(exception) =>
            new(503, "database-unavailable", "The database is not answering", "データベースが応答していません",
                "Nothing was stored. Please try again shortly.", "何も保存していません。しばらくしてから再度お試しください。", 10),
        _ when TransientErrors.IsBrokerUnavailable(exception) =>
            new(503, "bus-unavailable", "The message bus is not answering", "メッセージ基盤が応答していません",
                "The request could not be handed on. Check its state, then try again shortly.",
                "要求を引き渡せませんでした。状態を確認してから、しばらくして再度お試しください。", 10),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new(413, "too-large", "Request too large", "要求が大きすぎます",
                "The request body is over the relay's size limit.", "要求の本文が上限を超えています。"),
        BadHttpRequestException or InvalidDataException or IOException or FormatException =>
            new(400, "malformed-request", "Malformed request", "要求の形式が正しくありません",
                "The request body could not be read (for example a truncated multipart upload or malformed JSON). Nothing was stored.",
                "要求の本文を読み取れませんでした（途中で切れた multipart やJSONの誤りなど）。何も保存していません。"),
        _ => new(500, "internal-error", "Internal error", "内部エラー",
            "The relay could not complete the request. Nothing is lost: quote the trace id to the operator.",
            "中継サーバーで要求を完了できませんでした。運用者にトレースIDをお伝えください。"),
    };
}
