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

    public sealed record OfficeRegistration(string OfficeNumber, string Name, string[] ServiceTypes, string? ContactEmail);
    public sealed record StaffRegistration(string UserId, string Password, bool Admin = false);
    public sealed record CertificateRegistration(string Pem);
    public sealed record LicenceGrant(DateOnly ValidFrom);

    public static RouteGroupBuilder MapAdmin(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").RequireAuthorization(Policy).WithMetadata(new AuditAction("registry-change"), new Idempotency.Idempotent());
        admin.MapPost("/offices", RegisterOffice);
        admin.MapPost("/offices/{office}/staff", RegisterStaff);
        admin.MapPost("/offices/{office}/certificates", RegisterCertificate);
        admin.MapPost("/offices/{office}/certificates/{thumbprint}/revoke", Revoke);
        admin.MapPost("/offices/{office}/licences", GrantLicence);
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
        return Results.Accepted($"/v1/directory?q={body.OfficeNumber}", new { office = body.OfficeNumber });
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
        return Results.Created($"/v1/admin/offices/{office}/staff/{body.UserId}", new { office, userId = body.UserId, roles = body.Admin ? new[] { "admin" } : [] });
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
        return Results.Accepted(value: new { office, thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256) });
    }

    static async Task<IResult> Revoke(string office, string thumbprint, HttpContext context, ISendEndpointProvider send)
    {
        context.Items[AuditMiddleware.SubjectKey] = $"{office}/{thumbprint}";
        if (BadOffice(office) is { } bad)
            return bad;
        await Send(send, Queues.Certificates, new RevokeCertificate { Office = office, Thumbprint = thumbprint });
        return Results.Accepted(value: new { office, thumbprint, state = "revoking" });
    }

    static async Task<IResult> GrantLicence(string office, LicenceGrant body, HttpContext context, ISendEndpointProvider send)
    {
        context.Items[AuditMiddleware.SubjectKey] = office;
        if (BadOffice(office) is { } bad)
            return bad;
        await Send(send, Queues.Licences, new GrantAnnualLicence { Office = office, ValidFrom = body.ValidFrom });
        return Results.Accepted(value: new { office, kind = LicenceKinds.Annual, validFrom = body.ValidFrom });
    }

    static async Task Send<T>(ISendEndpointProvider send, string queue, T command) where T : class =>
        await (await send.GetSendEndpoint(Queues.Address(queue))).Send(command);
}
