using System.Text.Json.Nodes;
using CarePlanMesh.Contracts;
using CarePlanMesh.Notification.Notifications;
using MassTransit;

namespace CarePlanMesh.Notification.Consumers;

/// <summary>
/// Tells the other side of a partnership what changed: a request goes to the partner, an approval, decline, suspension or
/// end to whoever did not act. An invitation to an unregistered office is e-mailed by <see cref="SendInvitationConsumer"/>.
/// </summary>
public sealed class PartnershipChangedConsumer(Notifier notifier) : IConsumer<PartnershipChanged>
{
    public async Task Consume(ConsumeContext<PartnershipChanged> context)
    {
        var change = context.Message;
        var topic = change.State switch
        {
            PartnershipStates.Pending => Topics.Partnership("requested"),
            PartnershipStates.Active => Topics.Partnership("approved"),
            PartnershipStates.Declined => Topics.Partnership("declined"),
            PartnershipStates.Suspended => Topics.Partnership("suspended"),
            PartnershipStates.Ended => Topics.Partnership("ended"),
            _ => null,
        };
        if (topic is null || change.PartnerOffice is null)
            return;
        foreach (var (office, counterpart) in new[] { (change.RequesterOffice, change.PartnerOffice), (change.PartnerOffice, change.RequesterOffice) })
        {
            if (office == change.ChangedBy)
                continue;
            var data = new JsonObject
            {
                ["office"] = office,
                ["partnershipId"] = change.PartnershipId,
                ["requesterOffice"] = change.RequesterOffice,
                ["partnerOffice"] = change.PartnerOffice,
                ["counterpartOffice"] = counterpart,
                ["state"] = change.State,
                ["changedBy"] = change.ChangedBy,
                ["changedAt"] = change.ChangedAt,
                ["links"] = new JsonObject { ["self"] = "/v1/partnerships" },
            };
            await notifier.Record(office, topic, $"partnership:{change.PartnershipId}:{change.ChangedAt.UtcTicks}", null, data, context.CancellationToken);
        }
    }
}

/// <summary>Tells an office that its certificate expires soon (crypto publishes once per threshold: 90, 30, 7 days by default).</summary>
public sealed class CertificateExpiringConsumer(Notifier notifier) : IConsumer<CertificateExpiring>
{
    public async Task Consume(ConsumeContext<CertificateExpiring> context)
    {
        var warning = context.Message;
        if (warning.Office is not { } office)
            return;
        var data = new JsonObject
        {
            ["office"] = office,
            ["thumbprint"] = warning.Thumbprint,
            ["notAfter"] = warning.NotAfter,
            ["daysLeft"] = warning.DaysLeft,
            ["threshold"] = warning.Threshold,
        };
        await notifier.Record(office, Topics.CertificateExpiring, $"certificate:{warning.Thumbprint}:{warning.Threshold}", null, data, context.CancellationToken);
    }
}

/// <summary>Tells an office that its licence ends soon (routing publishes once per licence and threshold: 60 and 30 days by default).</summary>
public sealed class LicenceExpiringConsumer(Notifier notifier) : IConsumer<LicenceExpiring>
{
    public async Task Consume(ConsumeContext<LicenceExpiring> context)
    {
        var warning = context.Message;
        var data = LicenceData(warning.Office, warning.LicenceId, warning.Kind, warning.ValidTo);
        data["daysLeft"] = warning.DaysLeft;
        data["threshold"] = warning.Threshold;
        await notifier.Record(warning.Office, Topics.LicenceExpiring, $"licence:{warning.LicenceId}:{warning.Threshold}", null, data, context.CancellationToken);
    }

    internal static JsonObject LicenceData(string office, Guid licenceId, string kind, DateOnly validTo) => new()
    {
        ["office"] = office,
        ["licenceId"] = licenceId,
        ["kind"] = kind,
        ["validTo"] = validTo.ToString("yyyy-MM-dd"),
        ["links"] = new JsonObject { ["self"] = "/v1/licence" },
    };
}

/// <summary>Tells an office that its licence ended and the relay no longer carries its files (routing publishes once per licence).</summary>
public sealed class LicenceExpiredConsumer(Notifier notifier) : IConsumer<LicenceExpired>
{
    public async Task Consume(ConsumeContext<LicenceExpired> context)
    {
        var expired = context.Message;
        var data = LicenceExpiringConsumer.LicenceData(expired.Office, expired.LicenceId, expired.Kind, expired.ValidTo);
        await notifier.Record(expired.Office, Topics.LicenceExpired, $"licence:{expired.LicenceId}:expired", null, data, context.CancellationToken);
    }
}
