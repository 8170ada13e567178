using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Edge;
using MassTransit;

namespace CarePlanMesh.Intake.Staff;

/// <summary>POST /v1/auth/token: staff sign in on their office's certificate connection and get a short-lived token.</summary>
public static class AuthEndpoints
{
    /// <summary>A staff member's sign-in on the office's certificate.</summary>
    /// <param name="UserId">The 14-character user ID (prefixes per Auth:UserIdPrefixes; IDs starting HD are refused).</param>
    /// <param name="Password">The staff member's password.</param>
    public sealed record Credentials(string? UserId, string? Password);

    /// <param name="ExpiresIn">Seconds the token is valid.</param>
    public sealed record IssuedToken(string AccessToken, string TokenType, int ExpiresIn);

    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/token", SignIn).Produces<IssuedToken>().WithMetadata(new CertificateOnly(), new AuditAction("sign-in"));
        return api;
    }

    static async Task<IResult> SignIn(Credentials credentials, HttpContext context, ClaimsPrincipal user, StaffDirectory staff,
        IRequestClient<CheckCertificate> certificates, CancellationToken cancellationToken)
    {
        var certificate = (X509Certificate2)context.Items[OfficeCertificateAuthentication.CertificateKey]!;
        context.Items[AuditMiddleware.SubjectKey] = credentials.UserId is { Length: <= 14 } id ? id : null;
        // Chained to the CA is not enough: the certificate must be registered for the office and not revoked.
        var check = await certificates.Answer<CheckCertificate, CertificateChecked>(new CheckCertificate { Office = user.Office(), Certificate = certificate.RawData }, cancellationToken);
        if (!check.Accepted)
            return check.Reason == "revoked"
                ? Problems.Of(401, "certificate-revoked", "Certificate revoked", "証明書は失効しています",
                    $"This certificate was revoked at {check.RevokedAt:u}.", $"この証明書は{check.RevokedAt:yyyy-MM-dd HH:mm}（UTC）に失効しています。")
                : Problems.Of(401, "certificate-not-registered", "Certificate not registered", "証明書が登録されていません",
                    "This certificate is not registered for your office; ask the operator to register it.",
                    "この証明書は貴事業所の証明書として登録されていません。運営者に登録を依頼してください。");
        var result = await staff.SignIn(user.Office(), certificate.GetCertHashString(HashAlgorithmName.SHA256), credentials.UserId, credentials.Password, cancellationToken);
        if (result.Refusal is { } refusal)
            return Problems.Of(refusal.Status, refusal.Reason, "Sign-in refused", "サインインできません", refusal.ReasonEn, refusal.ReasonJa);
        return TypedResults.Ok(new IssuedToken(result.AccessToken!, "Bearer", (int)result.ExpiresIn.TotalSeconds));
    }
}
