using CarePlanMesh.Standard;
using Microsoft.AspNetCore.Mvc;

namespace CarePlanMesh.Intake.Edge;

/// <summary>RFC 9457 problem details in English (title, detail) and Japanese (titleJa, detailJa), with every defect listed under "errors".</summary>
public static class Problems
{
    public static IResult Of(int status, string type, string title, string titleJa, string detail, string detailJa, IEnumerable<Defect>? errors = null,
        IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = $"urn:careplanmesh:problem:{type}",
            Title = title,
            Detail = detail,
        };
        problem.Extensions["titleJa"] = titleJa;
        problem.Extensions["detailJa"] = detailJa;
        if (errors is not null)
            problem.Extensions["errors"] = errors.ToList();
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
            problem.Extensions[key] = value;
        return new Audited(Results.Problem(problem), type);
    }

    /// <summary>Leaves the problem's reason code for the audit trail, then writes the problem.</summary>
    sealed class Audited(IResult problem, string reason) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Items[Audit.AuditMiddleware.ReasonKey] = reason;
            // Every 503 is a dependency that is down for now: tell clients when to come back.
            if (problem is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable })
                httpContext.Response.Headers.RetryAfter = "10";
            return problem.ExecuteAsync(httpContext);
        }
    }

    public static IResult NotFound(string what, string whatJa) =>
        Of(StatusCodes.Status404NotFound, "not-found", "Not found", "見つかりません",
            $"No {what} with this id is visible to your office.", $"この{whatJa}は存在しないか、貴事業所からは参照できません。");
}
