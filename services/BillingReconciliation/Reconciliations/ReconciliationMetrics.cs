using System.Diagnostics.Metrics;
using CarePlanMesh.ServiceDefaults;

namespace CarePlanMesh.BillingReconciliation.Reconciliations;

/// <summary>Actuals reconciled against a plan, or received without one (docs/operations.md).</summary>
static class ReconciliationMetrics
{
    static readonly Counter<long> Reconciliations = ServiceDefaultsExtensions.Meter.CreateCounter<long>(
        "careplanmesh.reconciliations", "{reconciliation}", "Actuals handled by reconciliation (label outcome: reconciled, no-plan)");

    public static void Count(bool planFound) =>
        Reconciliations.Add(1, new KeyValuePair<string, object?>("outcome", planFound ? "reconciled" : "no-plan"));
}
