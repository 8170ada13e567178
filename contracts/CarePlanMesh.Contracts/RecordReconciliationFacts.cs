using MassTransit;

namespace CarePlanMesh.Contracts;

/// <summary>
/// Command to billing-reconciliation: the pseudonymous facts of a valid 予定 unit or of a 予定削除 / 実績削除 unit
/// (user keys, offices, codes, dates, times, units, counts, limits — no names, no insured numbers, no free text).
/// </summary>
public record RecordReconciliationFacts
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    public string ServiceMonth { get; init; } = "";
    /// <summary>The unit's 連番 (YYYYMMDDHHMMSS): the latest 予定 of a month wins.</summary>
    public string SendUnit { get; init; } = "";
    /// <summary>Claim check: the facts as JSON (CarePlanMesh.Reconciliation.UnitFacts).</summary>
    public MessageData<byte[]> Facts { get; init; } = null!;
}
