namespace CarePlanMesh.Contracts;

/// <summary>Request to billing-reconciliation: an office's reconciliations of a month, as care office or as provider.</summary>
public record ListReconciliations
{
    public string Office { get; init; } = "";
    public string ServiceMonth { get; init; } = "";
}

public record ReconciliationList
{
    public IReadOnlyList<ReconciliationCompleted> Items { get; init; } = [];
    /// <summary>Ids of the items whose sealed detail report is ready.</summary>
    public IReadOnlyList<Guid> Sealed { get; init; } = [];
}

/// <summary>Request to billing-reconciliation: where the sealed detail report is, for its care office only.</summary>
public record GetReconciliationReport
{
    public Guid ReconciliationId { get; init; }
    public string Office { get; init; } = "";
}

public record ReconciliationReportLocation
{
    public bool Found { get; init; }
    /// <summary>The sealed report's claim-check address; null while it is being sealed.</summary>
    public Uri? SealedReport { get; init; }
}
