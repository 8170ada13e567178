using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.Intake.Staff;
using CarePlanMesh.Security;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Admin;

/// <summary>
/// The registry API for the operator's administrators (role admin): offices (routing), staff (intake), certificates
/// (crypto) and annual licences (routing). Each change is audited; the owning service applies it from a command.
/// </summary>
public static class AdminEndpoints
{
    public const string Policy = "admin";

    /// <summary>An office to add to the directory.</summary>
    /// <param name="OfficeNumber">The 10-digit office number (事業所番号).</param>
    /// <param name="Name">The office's name as the directory shows it.</param>
    /// <param name="ServiceTypes">Its service type codes (サービス種類コード, e.g. 43, 11).</param>
    /// <param name="ContactEmail">Its contact address; a pending e-mail invitation to it becomes a partnership request.</param>
    public sealed record OfficeRegistration(string OfficeNumber, string Name, string[] ServiceTypes, string? ContactEmail);

    /// <summary>A staff member of the office.</summary>
    /// <param name="UserId">The 14-character user ID (prefixes per Auth:UserIdPrefixes).</param>
    /// <param name="Password">At least 12 characters; stored only as a hash.</param>
    /// <param name="Admin">True for an operator's administrator (role admin).</param>
    public sealed record StaffRegistration(string UserId, string Password, bool Admin = false);

    /// <summary>A client certificate for the office, issued by the relay's CA.</summary>
    /// <param name="Pem">The certificate as PEM (-----BEGIN CERTIFICATE-----); its CN must be the office number.</param>
    public sealed record CertificateRegistration(string Pem);

    /// <summary>An annual licence to grant.</summary>
    /// <param name="ValidFrom">Its first day; it runs one year.</param>
    public sealed record LicenceGrant(DateOnly ValidFrom);

    /// <summary>The registration was sent to routing, which adds the office to the directory.</summary>
    /// <param name="Office">The office number registered.</param>
    public sealed record OfficeAccepted(string Office);

    /// <summary>The staff member can sign in now.</summary>
    /// <param name="Office">The office the staff member signs in for.</param>
    /// <param name="UserId">The user ID.</param>
    /// <param name="Roles">admin for an operator's administrator; empty otherwise.</param>
    public sealed record StaffRegistered(string Office, string UserId, IReadOnlyList<string> Roles);

    /// <summary>The certificate was checked and sent to crypto, which seals the office's deliveries to it from now on.</summary>
    /// <param name="Office">The office the certificate names.</param>
    /// <param name="Thumbprint">The certificate's SHA-256 thumbprint (hex), as the revocation path takes it.</param>
    public sealed record CertificateAccepted(string Office, string Thumbprint);

    /// <summary>The revocation was sent to crypto, which applies it at once: its tokens end, its sign-ins are refused, no more packages are sealed to it.</summary>
    /// <param name="Office">The office.</param>
    /// <param name="Thumbprint">The revoked certificate's SHA-256 thumbprint.</param>
    /// <param name="State">Always revoking: crypto applies the revocation after this answer.</param>
    public sealed record CertificateRevoking(string Office, string Thumbprint, string State);

    /// <summary>The annual licence was sent to routing, which grants it.</summary>
    /// <param name="Office">The office.</param>
    /// <param name="Kind">Always annual.</param>
    /// <param name="ValidFrom">The licence's first day.</param>
    public sealed record LicenceGrantAccepted(string Office, string Kind, DateOnly ValidFrom);

    public static RouteGroupBuilder MapAdmin(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").RequireAuthorization(Policy).WithMetadata(new AuditAction("registry-change"), new Idempotency.Idempotent());
        admin.MapPost("/offices", RegisterOffice).Produces<OfficeAccepted>(StatusCodes.Status202Accepted);
        admin.MapPost("/offices/{office}/staff", RegisterStaff).Produces<StaffRegistered>(StatusCodes.Status201Created);
        admin.MapPost("/offices/{office}/certificates", RegisterCertificate).Produces<CertificateAccepted>(StatusCodes.Status202Accepted);
        admin.MapPost("/offices/{office}/certificates/{thumbprint}/revoke", Revoke).Produces<CertificateRevoking>(StatusCodes.Status202Accepted);
        admin.MapPost("/offices/{office}/licences", GrantLicence).Produces<LicenceGrantAccepted>(StatusCodes.Status202Accepted);
        return api;
    }

    static IResult? BadOffice(string office) => OfficeNumber.IsValid(office) ? null
        : Problems.Of(400, "office-invalid", "Not an office number", "事業所番号が正しくありません",
            "An office number is 10 digits, the first two a prefecture code 01–47.", "事業所番号は10桁の数字で、先頭2桁は都道府県番号（01～47）です。");

    static async Task<IResult> RegisterOffice(OfficeRegistration body, HttpContext context, ISendEndpointProvider send)
    {
        context.Items[AuditMiddleware.SubjectKey] = body.OfficeNumber;
        if (BadOffice(body.OfficeNumber) is { } bad)
            return bad;
        await Send(send, Queues.Directory, new Contracts.RegisterOffice { OfficeNumber = body.OfficeNumber, Name = body.Name, ServiceTypes = body.ServiceTypes, ContactEmail = body.ContactEmail });
        return Results.Accepted($"/v1/directory?q={body.OfficeNumber}", new OfficeAccepted(body.OfficeNumber));
    }

    static async Task<IResult> RegisterStaff(string office, StaffRegistration body, HttpContext context, StaffDirectory staff, IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        context.Items[AuditMiddleware.SubjectKey] = $"{office}/{body.UserId}";
        if (BadOffice(office) is { } bad)
            return bad;
        if (StaffUserId.Problem(body.UserId, auth.Value.UserIdPrefixes) is { } problem)
            return Problems.Of(400, "user-id-invalid", "User ID not accepted", "利用者IDを受け付けられません", problem.En, problem.Ja);
        if (body.Password is not { Length: >= 12 })
            return Problems.Of(400, "password-weak", "Password too short", "パスワードが短すぎます",
                "Passwords have at least 12 characters.", "パスワードは12文字以上にしてください。");
        await staff.Register(body.UserId, office, PasswordHash.Create(body.Password), body.Admin ? ["admin"] : [], cancellationToken);
        return Results.Created($"/v1/admin/offices/{office}/staff/{body.UserId}", new StaffRegistered(office, body.UserId, body.Admin ? ["admin"] : []));
    }

    static async Task<IResult> RegisterCertificate(string office, CertificateRegistration body, HttpContext context, ClientCertificateValidator validator,
        ISendEndpointProvider send, TimeProvider clock)
    {
        context.Items[AuditMiddleware.SubjectKey] = office;
        if (BadOffice(office) is { } bad)
            return bad;
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(body.Pem);
        }
        catch (CryptographicException)
        {
            return Problems.Of(400, "certificate-unreadable", "Not a PEM certificate", "PEM形式の証明書ではありません",
                "Send the certificate as PEM (-----BEGIN CERTIFICATE-----).", "証明書をPEM形式で送ってください。");
        }
        // The same checks as at the edge: issued by the relay's CA, valid, for client authentication, naming this office.
        var check = validator.Validate(certificate, clock.GetUtcNow());
        if (!check.IsValid || check.OfficeNumber != office)
            return Problems.Of(422, "certificate-refused", "Certificate not accepted", "証明書を受け付けられません",
                check.ReasonEn ?? $"The certificate names office {check.OfficeNumber}, not {office}.",
                check.ReasonJa ?? $"証明書の事業所は{check.OfficeNumber}で、{office}ではありません。");
        await Send(send, Queues.Certificates, new Contracts.RegisterCertificate { Office = office, Certificate = certificate.RawData });
        return Results.Accepted(value: new CertificateAccepted(office, certificate.GetCertHashString(HashAlgorithmName.SHA256)));
    }

    static async Task<IResult> Revoke(string office, string thumbprint, HttpContext context, ISendEndpointProvider send)
    {
        context.Items[AuditMiddleware.SubjectKey] = $"{office}/{thumbprint}";
        if (BadOffice(office) is { } bad)
            return bad;
        await Send(send, Queues.Certificates, new RevokeCertificate { Office = office, Thumbprint = thumbprint });
        return Results.Accepted(value: new CertificateRevoking(office, thumbprint, "revoking"));
    }

    static async Task<IResult> GrantLicence(string office, LicenceGrant body, HttpContext context, ISendEndpointProvider send)
    {
        context.Items[AuditMiddleware.SubjectKey] = office;
        if (BadOffice(office) is { } bad)
            return bad;
        await Send(send, Queues.Licences, new GrantAnnualLicence { Office = office, ValidFrom = body.ValidFrom });
        return Results.Accepted(value: new LicenceGrantAccepted(office, LicenceKinds.Annual, body.ValidFrom));
    }

    static async Task Send<T>(ISendEndpointProvider send, string queue, T command) where T : class =>
        await (await send.GetSendEndpoint(Queues.Address(queue))).Send(command);
}
