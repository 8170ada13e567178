using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CarePlanMesh.Cli.Agent.Web;

/// <summary>The page's refusals as RFC 9457 problems in English (title, detail) and Japanese (titleJa, detailJa), as the relay writes them.</summary>
public static class PageProblems
{
    public static IResult Of(int status, string type, string title, string titleJa, string detail, string detailJa) =>
        Results.Json(Body(status, type, title, titleJa, detail, detailJa), contentType: "application/problem+json", statusCode: status);

    public static Task Write(HttpContext context, int status, string type, string title, string titleJa, string detail, string detailJa)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(Body(status, type, title, titleJa, detail, detailJa)));
    }

    static Dictionary<string, object> Body(int status, string type, string title, string titleJa, string detail, string detailJa) => new()
    {
        ["type"] = $"urn:careplanmesh:agent:{type}",
        ["status"] = status,
        ["title"] = title,
        ["detail"] = detail,
        ["titleJa"] = titleJa,
        ["detailJa"] = detailJa,
    };

    /// <summary>The relay could not be reached or did not answer in time: a fast 503 that says so.</summary>
    public static IResult RelayDown(Exception exception)
    {
        var problem = exception is RelayRefusedException refused
            ? Of(StatusCodes.Status502BadGateway, "sign-in-refused", "The relay refused the office's sign-in", "中継がサインインを受け付けませんでした",
                $"The relay answered {refused.Status} to the sign-in: check user.json and the office certificate.",
                $"サインインに中継が {refused.Status} と答えました。user.json と事業所の証明書を確かめてください。")
            : Of(StatusCodes.Status503ServiceUnavailable, "relay-unavailable", "The relay cannot be reached", "中継に接続できません",
                "The relay did not answer; the agent keeps trying. Try again shortly.", "中継から応答がありません。エージェントは接続を続けています。しばらくしてからもう一度お試しください。");
        return new WithRetryAfter(problem);
    }

    sealed class WithRetryAfter(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (inner is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable })
                httpContext.Response.Headers.RetryAfter = "10";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
