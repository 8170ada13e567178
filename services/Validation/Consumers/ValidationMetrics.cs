using System.Diagnostics.Metrics;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Standard;

namespace CarePlanMesh.Validation.Consumers;

/// <summary>Defects found, by rule id and severity: which rules senders' software breaks most (docs/operations.md).</summary>
static class ValidationMetrics
{
    static readonly Counter<long> Defects = ServiceDefaultsExtensions.Meter.CreateCounter<long>(
        "careplanmesh.validation.defects", "{defect}", "Defects found by validation (labels rule, severity); a redelivered command counts again");

    public static void Count(IEnumerable<Defect> defects)
    {
        foreach (var group in defects.GroupBy(d => (d.Rule, d.Severity)))
            Defects.Add(group.Count(),
                new KeyValuePair<string, object?>("rule", group.Key.Rule),
                new KeyValuePair<string, object?>("severity", group.Key.Severity == Severity.Error ? "error" : "warning"));
    }
}
