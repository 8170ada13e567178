using System.Net.Mail;
using CarePlanMesh.Contracts;
using CarePlanMesh.Routing.Directory;
using CarePlanMesh.Routing.Partnerships;
using CarePlanMesh.Security;
using MassTransit;

namespace CarePlanMesh.Routing.Consumers;

/// <summary>Partnership requests, invitations and changes behind /v1/partnerships; every change is published.</summary>
public sealed class PartnershipsConsumer(OfficeDirectory directory, PartnershipBook partnerships, TimeProvider clock)
    : IConsumer<ListPartnerships>, IConsumer<RequestPartnership>, IConsumer<ChangePartnership>
{
    public async Task Consume(ConsumeContext<ListPartnerships> context) =>
        await context.RespondAsync(new PartnershipAnswer { Partnerships = await partnerships.List(context.Message.Office, context.CancellationToken) });

    public async Task Consume(ConsumeContext<RequestPartnership> context)
    {
        var (partnership, refusal) = await Request(context.Message, context.CancellationToken);
        if (partnership is not null && refusal is null)
        {
            await context.Publish(Changed(partnership, context.Message.Office, clock));
            if (partnership.State == PartnershipStates.Invited)
                await context.Send(Queues.Address(Queues.SendInvitation), new SendInvitation
                {
                    PartnershipId = partnership.Id,
                    InviterOffice = context.Message.Office,
                    Email = context.Message.InviteEmail!,
                });
        }
        await context.RespondAsync(new PartnershipAnswer { Partnership = partnership, Refusal = refusal });
    }

    public async Task Consume(ConsumeContext<ChangePartnership> context)
    {
        var (partnership, refusal) = await partnerships.Change(context.Message.Office, context.Message.PartnershipId, context.Message.Action, context.CancellationToken);
        if (partnership is not null && refusal is null)
            await context.Publish(Changed(partnership, context.Message.Office, clock));
        await context.RespondAsync(new PartnershipAnswer { Partnership = partnership, Refusal = refusal });
    }

    async Task<(PartnershipView?, Refusal?)> Request(RequestPartnership request, CancellationToken cancellationToken)
    {
        var office = request.Office;
        var partner = string.IsNullOrWhiteSpace(request.PartnerOffice) ? null : request.PartnerOffice.Trim();
        var email = string.IsNullOrWhiteSpace(request.InviteEmail) ? null : request.InviteEmail.Trim();
        if (partner is null && email is null)
            return (null, Refuse(400, "partner-missing", "連携先の事業所番号（partnerOffice）か招待先のメールアドレス（inviteEmail）を指定してください。",
                "Give the partner's office number (partnerOffice) or an e-mail address to invite (inviteEmail)."));
        if (partner is not null && !OfficeNumber.IsValid(partner))
            return (null, Refuse(400, "partner-invalid", "事業所番号は10桁の数字で、先頭2桁は都道府県番号（01～47）です。",
                "An office number is 10 digits, the first two a prefecture code 01–47."));
        if (email is not null && !MailAddress.TryCreate(email, out _))
            return (null, Refuse(400, "email-invalid", "招待先のメールアドレスが正しくありません。", "The invitation e-mail address is not valid."));
        if (partner == office)
            return (null, Refuse(422, "same-office", $"自事業所（{office}）とは連携できません。同一事業所番号の間では送受信できません。",
                $"Your office ({office}) cannot partner with itself; offices sharing one office number cannot exchange files."));
        if (!await directory.IsRegistered(office, cancellationToken))
            return (null, Refuse(403, "not-registered", "貴事業所はまだ登録されていません。", "Your office is not registered with the relay yet."));

        if (partner is not null && await partnerships.Between(office, partner, cancellationToken) is { } existing)
            return (existing, Refuse(409, "partnership-exists",
                $"事業所{partner}との連携は既にあります（{existing.Id}、状態「{existing.State}」）。",
                $"A partnership with office {partner} already exists ({existing.Id}, {existing.State})."));

        var registered = partner is not null && await directory.IsRegistered(partner, cancellationToken);
        if (partner is not null && !registered && email is null)
            return (null, Refuse(404, "partner-not-registered",
                $"事業所{partner}はまだ登録されていません。inviteEmail を添えると招待を送れます。",
                $"Office {partner} is not registered yet; add inviteEmail to send it an invitation."));

        var state = registered ? PartnershipStates.Pending : PartnershipStates.Invited;
        var created = await partnerships.Create(office, partner, registered ? null : email, state, cancellationToken);
        return created is not null
            ? (created, null)
            : (null, Refuse(409, "partnership-exists", "同じ相手との連携が同時に作成されました。一覧を確認してください。",
                "A partnership with the same office was created at the same moment; see the list."));
    }

    static Refusal Refuse(int status, string reason, string ja, string en) => new() { Status = status, Reason = reason, ReasonJa = ja, ReasonEn = en };

    internal static PartnershipChanged Changed(PartnershipView partnership, string? changedBy, TimeProvider clock) => new()
    {
        PartnershipId = partnership.Id,
        RequesterOffice = partnership.RequesterOffice,
        PartnerOffice = partnership.PartnerOffice,
        State = partnership.State,
        ChangedBy = changedBy,
        ChangedAt = clock.GetUtcNow(),
    };
}

public sealed class PartnershipsConsumerDefinition : ConsumerDefinition<PartnershipsConsumer>
{
    public PartnershipsConsumerDefinition() => EndpointName = Queues.Partnerships;
}
