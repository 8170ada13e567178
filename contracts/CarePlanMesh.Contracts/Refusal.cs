namespace CarePlanMesh.Contracts;

/// <summary>Why a request to a service was refused: an HTTP status for the edge, a stable reason code and messages in both languages.</summary>
public record Refusal
{
    public int Status { get; init; }
    public string Reason { get; init; } = "";
    public string ReasonJa { get; init; } = "";
    public string ReasonEn { get; init; } = "";
}
