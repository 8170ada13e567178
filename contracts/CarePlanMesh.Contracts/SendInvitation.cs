namespace CarePlanMesh.Contracts;

/// <summary>
/// Command to notification: e-mail an invitation to join the relay. The address is contact data given by the inviting office;
/// it travels only in this command, never in a published event.
/// </summary>
public record SendInvitation
{
    public Guid PartnershipId { get; init; }
    public string InviterOffice { get; init; } = "";
    public string Email { get; init; } = "";
}
