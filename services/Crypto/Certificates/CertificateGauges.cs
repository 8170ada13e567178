using CarePlanMesh.ServiceDefaults.Metrics;

namespace CarePlanMesh.Crypto.Certificates;

/// <summary>How far away the next office-certificate expiry is, and how many expire within 30 days (docs/operations.md).</summary>
public static class CertificateGauges
{
    const string Current = "FROM crypto.office_certificates WHERE revoked_at IS NULL AND not_after > now()";

    public static WebApplicationBuilder AddCertificateGauges(this WebApplicationBuilder builder) => builder
        .AddDatabaseGauge(new("careplanmesh.certificates.next_expiry", "s", "Seconds until the next current office certificate expires", null,
            $"SELECT NULL, extract(epoch FROM min(not_after) - now()) {Current}"))
        .AddDatabaseGauge(new("careplanmesh.certificates.expiring", "{certificate}", "Current office certificates that expire within 30 days", null,
            $"SELECT NULL, count(*) {Current} AND not_after < now() + interval '30 days'"));
}
