namespace CarePlanMesh.Contracts;

/// <summary>Request to routing: the partnerships (連携先) of an office, newest first. Answered with <see cref="PartnershipAnswer"/>.</summary>
public record ListPartnerships
{
    public string Office { get; init; } = "";
}

/// <summary>
/// Request to routing: <see cref="Office"/> asks <see cref="PartnerOffice"/> to become its partner, or invites an office that is
/// not registered yet by e-mail (with its office number when known). Answered with <see cref="PartnershipAnswer"/>.
/// </summary>
public record RequestPartnership
{
    public string Office { get; init; } = "";
    public string? PartnerOffice { get; init; }
    public string? InviteEmail { get; init; }
}

/// <summary>Request to routing: one side acts on a partnership. Answered with <see cref="PartnershipAnswer"/>.</summary>
public record ChangePartnership
{
    public string Office { get; init; } = "";
    public Guid PartnershipId { get; init; }
    /// <summary>One of <see cref="PartnershipActions"/>.</summary>
    public string Action { get; init; } = "";
}

public static class PartnershipActions
{
    public const string Approve = "approve";
    public const string Decline = "decline";
    public const string Suspend = "suspend";
    public const string End = "end";
}

public static class PartnershipStates
{
    /// <summary>An invitation to an office that is not registered yet.</summary>
    public const string Invited = "invited";
    /// <summary>Requested, awaiting the other side's approval.</summary>
    public const string Pending = "pending";
    /// <summary>The only state in which files travel.</summary>
    public const string Active = "active";
    public const string Declined = "declined";
    public const string Suspended = "suspended";
    public const string Ended = "ended";
}

public record PartnershipAnswer
{
    public PartnershipView? Partnership { get; init; }
    public IReadOnlyList<PartnershipView> Partnerships { get; init; } = [];
    public Refusal? Refusal { get; init; }
}

/// <summary>A partnership as one of its sides sees it.</summary>
public record PartnershipView
{
    public Guid Id { get; init; }
    public string RequesterOffice { get; init; } = "";
    /// <summary>Null for an e-mail invitation that named no office number.</summary>
    public string? PartnerOffice { get; init; }
    /// <summary>Shown only to the office that sent the invitation.</summary>
    public string? InviteEmail { get; init; }
    public string State { get; init; } = "";
    public string? SuspendedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>What the asking office may do next (<see cref="PartnershipActions"/>).</summary>
    public IReadOnlyList<string> Actions { get; init; } = [];
}
