using System.Security.Claims;
using System.Text.Encodings.Web;
using CarePlanMesh.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Api;

/// <summary>
/// Authenticates the office by its TLS client certificate, validated against the configured CA (never the machine
/// store). The TLS layer accepts any certificate so that a missing or bad one gets a 401 problem that says why,
/// instead of a failed handshake.
/// </summary>
public sealed class OfficeCertificateAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ClientCertificateValidator validator,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OfficeCertificate";
    public const string OfficeClaim = "office";

    const string FailureKey = "careplanmesh.auth.failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var certificate = await Context.Connection.GetClientCertificateAsync(Context.RequestAborted);
        if (certificate is null)
        {
            Context.Items[FailureKey] = ("クライアント証明書が提示されていません。事業所の証明書で接続してください。",
                "No client certificate was presented; connect with your office's certificate.");
            return AuthenticateResult.NoResult();
        }

        var check = validator.Validate(certificate, clock.GetUtcNow());
        if (!check.IsValid || check.OfficeNumber is null)
        {
            Context.Items[FailureKey] = (check.ReasonJa ?? "証明書が無効です。", check.ReasonEn ?? "The certificate is not valid.");
            return AuthenticateResult.Fail(check.ReasonEn ?? "invalid certificate");
        }

        var identity = new ClaimsIdentity([new Claim(OfficeClaim, check.OfficeNumber)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (ja, en) = Context.Items[FailureKey] as (string, string)? ?? ("認証が必要です。", "Authentication is required.");
        await Problems.Of(StatusCodes.Status401Unauthorized, "client-certificate", "Client certificate not accepted",
            "クライアント証明書を受け付けられません", en, ja).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Problems.Of(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "権限がありません",
            "Your office may not do this.", "貴事業所にはこの操作の権限がありません。").ExecuteAsync(Context);
}

public static class OfficeClaims
{
    public static string Office(this ClaimsPrincipal user) =>
        user.FindFirstValue(OfficeCertificateAuthentication.OfficeClaim) ?? throw new InvalidOperationException("No office claim on an authenticated request.");
}
