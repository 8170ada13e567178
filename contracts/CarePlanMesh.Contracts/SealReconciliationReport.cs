using MassTransit;

namespace CarePlanMesh.Contracts;

/// <summary>
/// Command to crypto: seal a reconciliation's detail report to the care office exactly like a package (CMS signed by the
/// relay, encrypted to the office's certificates), then delete the plaintext report.
/// </summary>
public record SealReconciliationReport
{
    /// <summary>The reconciliation's id: the 実績 submission it was made for.</summary>
    public Guid ReconciliationId { get; init; }
    public string CareOffice { get; init; } = "";
    public MessageData<byte[]> Report { get; init; } = null!;
}

/// <summary>The detail report is sealed to the care office; the plaintext is deleted.</summary>
[PublishedEvent("crypto")]
public record ReconciliationReportSealed
{
    public Guid ReconciliationId { get; init; }
    public string CareOffice { get; init; } = "";
    public long SealedBytes { get; init; }
    public MessageData<byte[]> SealedReport { get; init; } = null!;
}
