using System.Net;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using CarePlanMesh.Intake.Staff;
using CarePlanMesh.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Edge;

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
    StaffDirectory staff,
    IOptions<IntakeOptions> intake,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OfficeCertificate";
    public const string OfficeClaim = "office";
    public const string UserClaim = "user";
    public const string RoleClaim = "role";

    const string FailureKey = "careplanmesh.auth.failure";

    public const string CertificateKey = "careplanmesh.auth.certificate";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (certificate, forwardingProblem) = await ClientCertificate();
        if (forwardingProblem is not null)
        {
            Context.Items[FailureKey] = forwardingProblem.Value;
            return AuthenticateResult.Fail(forwardingProblem.Value.En);
        }
        if (certificate is null)
        {
            Context.Items[FailureKey] = ("クライアント証明書が提示されていません。事業所の証明書で接続してください。",
                "No client certificate was presented; connect with your office's certificate.");
            return AuthenticateResult.NoResult();
        }

        Context.Items[CertificateKey] = certificate;
        var check = validator.Validate(certificate, clock.GetUtcNow());
        if (!check.IsValid || check.OfficeNumber is null)
        {
            Context.Items[FailureKey] = (check.ReasonJa ?? "証明書が無効です。", check.ReasonEn ?? "The certificate is not valid.");
            return AuthenticateResult.Fail(check.ReasonEn ?? "invalid certificate");
        }

        // Every call but the sign-in itself needs both the certificate and a staff member's token issued on it.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<CertificateOnly>() is not null)
            return Success(new Claim(OfficeClaim, check.OfficeNumber));
        var authorization = Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            Context.Items[FailureKey] = ("サインインしてください。POST /v1/auth/token に利用者IDとパスワードを送り、得たトークンを Authorization: Bearer で付けてください。",
                "Sign in first: POST /v1/auth/token with your user ID and password, then send the token as Authorization: Bearer.");
            return AuthenticateResult.NoResult();
        }
        var thumbprint = certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var (session, problem) = await staff.Resolve(authorization["Bearer ".Length..].Trim(), check.OfficeNumber, thumbprint, Context.RequestAborted);
        if (session is null)
        {
            Context.Items[FailureKey] = problem switch
            {
                "expired" => ("トークンの有効期限が切れています。もう一度サインインしてください。", "The token has expired; sign in again."),
                "other-certificate" => ("このトークンは別の証明書（事業所）で発行されたものです。", "The token was issued on another certificate (office)."),
                _ => ("トークンが無効です。サインインし直してください。", "The token is not valid; sign in again."),
            };
            return AuthenticateResult.Fail("invalid token");
        }
        return Success([new Claim(OfficeClaim, check.OfficeNumber), new Claim(UserClaim, session.UserId), .. session.Roles.Select(r => new Claim(RoleClaim, r))]);
    }

    /// <summary>
    /// The TLS client certificate, or — only on a connection from a configured front door that terminated TLS — the
    /// certificate it forwards in the configured header. A forwarded certificate from anywhere else is refused, never used.
    /// </summary>
    async Task<(X509Certificate2? Certificate, (string Ja, string En)? Problem)> ClientCertificate()
    {
        var edge = intake.Value;
        var forwarded = Request.Headers[edge.ForwardedCertificateHeader].ToString();
        if (forwarded.Length == 0)
            return (await Context.Connection.GetClientCertificateAsync(Context.RequestAborted), null);
        var from = Context.Connection.RemoteIpAddress;
        if (from is null || !IsTrustedProxy(edge.TrustedProxies, from))
            return (null, ("転送されたクライアント証明書は、設定された中継サーバーからのものしか受け付けません。",
                "A forwarded client certificate is accepted only from a configured front door (Intake:TrustedProxies)."));
        try
        {
            var text = Uri.UnescapeDataString(forwarded);
            return (text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(Convert.FromBase64String(text)), null);
        }
        catch (Exception exception) when (exception is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return (null, ("転送されたクライアント証明書を読み取れません。", "The forwarded client certificate cannot be read."));
        }
    }

    /// <summary>Whether the address is one of the configured front doors: an address, or a range (10.244.0.0/16) where they have no fixed one.</summary>
    internal static bool IsTrustedProxy(IEnumerable<string> trusted, IPAddress from)
    {
        var address = from.IsIPv4MappedToIPv6 ? from.MapToIPv4() : from;
        return trusted.Any(p => p.Contains('/') ? IPNetwork.TryParse(p, out var range) && range.Contains(address) : IPAddress.TryParse(p, out var proxy) && proxy.Equals(address));
    }

    AuthenticateResult Success(params Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, OfficeClaim, RoleClaim)), SchemeName));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (ja, en) = Context.Items[FailureKey] as (string, string)? ?? ("認証が必要です。", "Authentication is required.");
        await Problems.Of(StatusCodes.Status401Unauthorized, "client-certificate", "Client certificate not accepted",
            "クライアント証明書を受け付けられません", en, ja).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Problems.Of(StatusCodes.Status403Forbidden, "admin-only", "Forbidden", "権限がありません",
            "Only the operator's administrators may change the registry (role admin).", "登録情報の変更は運営者の管理者（admin 権限）だけが行えます。").ExecuteAsync(Context);
}

/// <summary>Marks the one endpoint that needs only the client certificate: the sign-in that hands out tokens.</summary>
public sealed record CertificateOnly;

public static class OfficeClaims
{
    public static string Office(this ClaimsPrincipal user) =>
        user.FindFirstValue(OfficeCertificateAuthentication.OfficeClaim) ?? throw new InvalidOperationException("No office claim on an authenticated request.");
}
