using CarePlanMesh.ServiceDefaults.Metrics;

namespace CarePlanMesh.Routing.Licences;

/// <summary>How far away the next licence expiry is, and how many licences end within 30 days (docs/operations.md).</summary>
public static class LicenceGauges
{
    const string Current = "FROM routing.licences WHERE valid_to >= current_date";

    public static WebApplicationBuilder AddLicenceGauges(this WebApplicationBuilder builder) => builder
        .AddDatabaseGauge(new("careplanmesh.licences.next_expiry", "s", "Seconds until the end of the next licence to end (valid through its last day)", null,
            $"SELECT NULL, extract(epoch FROM (min(valid_to) + 1)::timestamptz - now()) {Current}"))
        .AddDatabaseGauge(new("careplanmesh.licences.expiring", "{licence}", "Licences whose last day is within 30 days", null,
            $"SELECT NULL, count(*) {Current} AND valid_to < current_date + 30"));
}
