using System.Security.Claims;
using System.Security.Cryptography;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Staff;

namespace CarePlanMesh.Intake.Api;

/// <summary>POST /v1/auth/token: staff sign in on their office's certificate connection and get a short-lived token.</summary>
public static class AuthEndpoints
{
    public sealed record Credentials(string? UserId, string? Password);

    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/token", SignIn).WithMetadata(new CertificateOnly(), new AuditAction("sign-in"));
        return api;
    }

    static async Task<IResult> SignIn(Credentials credentials, HttpContext context, ClaimsPrincipal user, StaffDirectory staff, CancellationToken cancellationToken)
    {
        var certificate = (await context.Connection.GetClientCertificateAsync(cancellationToken))!;
        context.Items[AuditMiddleware.SubjectKey] = credentials.UserId is { Length: <= 14 } id ? id : null;
        var result = await staff.SignIn(user.Office(), certificate.GetCertHashString(HashAlgorithmName.SHA256), credentials.UserId, credentials.Password, cancellationToken);
        if (result.Refusal is { } refusal)
            return Problems.Of(refusal.Status, refusal.Reason, "Sign-in refused", "サインインできません", refusal.ReasonEn, refusal.ReasonJa);
        return Results.Ok(new { accessToken = result.AccessToken, tokenType = "Bearer", expiresIn = (int)result.ExpiresIn.TotalSeconds });
    }
}
