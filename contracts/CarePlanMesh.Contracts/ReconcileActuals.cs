using MassTransit;

namespace CarePlanMesh.Contracts;

/// <summary>
/// Request to billing-reconciliation from validation, while the 実績's plaintext is in hand: record the pseudonymous
/// facts of a valid 実績 unit and compare them with the latest 予定 of the pair and month. Answered with
/// <see cref="ActualsReconciled"/>.
/// </summary>
public record ReconcileActuals
{
    public Guid SubmissionId { get; init; }
    public string ProviderOffice { get; init; } = "";
    public string CareOffice { get; init; } = "";
    public string ServiceMonth { get; init; } = "";
    public string SendUnit { get; init; } = "";
    /// <summary>Claim check: the facts as JSON (CarePlanMesh.Reconciliation.UnitFacts).</summary>
    public MessageData<byte[]> Facts { get; init; } = null!;
}

/// <summary>The comparison, pseudonymous; no result when the care office sent no 予定 for the pair and month.</summary>
public record ActualsReconciled
{
    public Guid SubmissionId { get; init; }
    public bool PlanFound { get; init; }
    public Guid? PlanSubmissionId { get; init; }
    /// <summary>Claim check: CarePlanMesh.Reconciliation.ReconciliationResult as JSON, when a plan was found.</summary>
    public MessageData<byte[]>? Result { get; init; }
}
