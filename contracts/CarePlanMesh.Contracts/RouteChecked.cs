namespace CarePlanMesh.Contracts;

/// <summary>Response to <see cref="CheckRoute"/>.</summary>
public record RouteChecked
{
    public bool Allowed { get; init; }
    /// <summary>Stable reason code when refused, e.g. unknown-recipient.</summary>
    public string? Reason { get; init; }
    public string? ReasonJa { get; init; }
    public string? ReasonEn { get; init; }
    /// <summary>The HTTP status the edge answers with when refused: 422 for an unknown office, 403 for a partnership or licence refusal.</summary>
    public int Status { get; init; }
}
