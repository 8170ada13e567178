namespace CarePlanMesh.Contracts;

/// <summary>Request to the routing service: may this sender send to this recipient? Answered with <see cref="RouteChecked"/>.</summary>
public record CheckRoute
{
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
}
