using System.Security.Claims;
using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Edge;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Routing;

/// <summary>
/// The directory, partnerships (連携先) and licence of the calling office. Routing owns all three; intake asks it over
/// the bus and turns its refusals into problem details.
/// </summary>
public static class RoutingEndpoints
{
    /// <summary>A partnership request to a registered office, or an invitation by e-mail to one not registered yet (docs/routing.md).</summary>
    /// <param name="PartnerOffice">The 10-digit office number asked.</param>
    /// <param name="InviteEmail">Where to send the invitation when the office is not registered; with or without PartnerOffice.</param>
    public sealed record PartnershipRequest(string? PartnerOffice, string? InviteEmail);

    public sealed record DirectoryPage(IReadOnlyList<OfficeListing> Offices);

    public sealed record PartnershipList(IReadOnlyList<PartnershipView> Partnerships);

    /// <summary>The office's licence status and the terms on offer.</summary>
    /// <param name="Office">The office number.</param>
    /// <param name="Valid">True when a licence or free pass covers today: only then does the relay carry the office's files.</param>
    /// <param name="ValidUntil">The last day the relay carries the office's files; absent when no licence is valid.</param>
    /// <param name="Licences">Every annual licence and free pass of the office, current, past and future.</param>
    /// <param name="FreePassApplicationsFrom">The first day POST /v1/licence/free-pass is accepted.</param>
    /// <param name="FreePassApplicationsUntil">The last day POST /v1/licence/free-pass is accepted.</param>
    /// <param name="AnnualFeeYen">The fee of an annual licence in yen.</param>
    public sealed record LicenceStatus(string Office, bool Valid, DateOnly? ValidUntil, IReadOnlyList<LicenceView> Licences,
        DateOnly FreePassApplicationsFrom, DateOnly FreePassApplicationsUntil, int AnnualFeeYen);

    public static RouteGroupBuilder MapRouting(this RouteGroupBuilder api)
    {
        api.MapGet("/directory", (string? q, string? prefecture, string? serviceType, IRequestClient<SearchDirectory> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<SearchDirectory, DirectoryListed>(AskedService.Routing, new SearchDirectory { Query = q, Prefecture = prefecture, ServiceType = serviceType }, options, cancellationToken,
                listed => TypedResults.Ok(new DirectoryPage(listed.Offices))))
            .Produces<DirectoryPage>();

        api.MapGet("/partnerships", (ClaimsPrincipal user, IRequestClient<ListPartnerships> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<ListPartnerships, PartnershipAnswer>(AskedService.Routing, new ListPartnerships { Office = user.Office() }, options, cancellationToken,
                answer => TypedResults.Ok(new PartnershipList(answer.Partnerships))))
            .Produces<PartnershipList>();

        api.MapPost("/partnerships", (PartnershipRequest body, ClaimsPrincipal user, IRequestClient<RequestPartnership> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<RequestPartnership, PartnershipAnswer>(AskedService.Routing,
                new RequestPartnership { Office = user.Office(), PartnerOffice = body.PartnerOffice, InviteEmail = body.InviteEmail }, options, cancellationToken,
                answer => answer.Refusal is { } refusal
                    ? Refused(refusal, answer.Partnership?.Id)
                    : Results.Created($"/v1/partnerships/{answer.Partnership!.Id}", answer.Partnership)))
            .Produces<PartnershipView>(StatusCodes.Status201Created).WithMetadata(new AuditAction("partnership-request"), new Idempotency.Idempotent());

        api.MapPost("/partnerships/{id:guid}/{action:regex(^(approve|decline|suspend|end)$)}", (Guid id, string action, ClaimsPrincipal user, IRequestClient<ChangePartnership> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<ChangePartnership, PartnershipAnswer>(AskedService.Routing, new ChangePartnership { Office = user.Office(), PartnershipId = id, Action = action }, options, cancellationToken,
                answer => answer.Refusal is { } refusal ? Refused(refusal, null) : Results.Ok(answer.Partnership)))
            .Produces<PartnershipView>().WithMetadata(new AuditAction("partnership-change"));

        api.MapGet("/licence", (ClaimsPrincipal user, IRequestClient<GetLicence> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<GetLicence, LicenceAnswer>(AskedService.Routing, new GetLicence { Office = user.Office() }, options, cancellationToken, Licence))
            .Produces<LicenceStatus>();

        api.MapPost("/licence/free-pass", (ClaimsPrincipal user, IRequestClient<ApplyFreePass> client, IOptions<IntakeOptions> options, CancellationToken cancellationToken) =>
            client.Ask<ApplyFreePass, LicenceAnswer>(AskedService.Routing, new ApplyFreePass { Office = user.Office() }, options, cancellationToken, Licence))
            .Produces<LicenceStatus>().WithMetadata(new AuditAction("free-pass"), new Idempotency.Idempotent());
        return api;
    }

    static IResult Licence(LicenceAnswer answer) => answer.Refusal is { } refusal
        ? Refused(refusal, null)
        : TypedResults.Ok(new LicenceStatus(answer.Office, answer.Valid, answer.ValidUntil, answer.Licences,
            answer.FreePassApplicationsFrom, answer.FreePassApplicationsUntil, answer.AnnualFeeYen));

    static IResult Refused(Refusal refusal, Guid? existing) =>
        Problems.Of(refusal.Status, refusal.Reason, "Refused", "受け付けられません", refusal.ReasonEn, refusal.ReasonJa,
            extensions: existing is { } id ? new Dictionary<string, object?> { ["partnership"] = $"/v1/partnerships/{id}" } : null);
}
