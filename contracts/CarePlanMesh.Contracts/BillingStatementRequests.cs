namespace CarePlanMesh.Contracts;

/// <summary>Request to billing-reconciliation (operators): per office, licence and usage of a month as CSV.</summary>
public record GetBillingStatement
{
    public string Month { get; init; } = "";
}

public record BillingStatement
{
    /// <summary>UTF-8 CSV with a header row; one line per office with a licence in the month or units sent or received.</summary>
    public string Csv { get; init; } = "";
}
