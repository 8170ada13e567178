using System.Diagnostics.Metrics;
using CarePlanMesh.Security;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.ServiceDefaults.Metrics;

namespace CarePlanMesh.Crypto.Certificates;

/// <summary>
/// How far away the next office-certificate expiry is, how many expire within 30 days, and how far away the relay's own
/// certificate's expiry is (docs/operations.md).
/// </summary>
public static class CertificateGauges
{
    const string Current = "FROM crypto.office_certificates WHERE revoked_at IS NULL AND not_after > now()";

    public static WebApplicationBuilder AddCertificateGauges(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<RelayCertificateGauge>();
        return builder
            .AddDatabaseGauge(new("careplanmesh.certificates.next_expiry", "s", "Seconds until the next current office certificate expires", null,
                $"SELECT NULL, extract(epoch FROM min(not_after) - now()) {Current}"))
            .AddDatabaseGauge(new("careplanmesh.certificates.expiring", "{certificate}", "Current office certificates that expire within 30 days", null,
                $"SELECT NULL, count(*) {Current} AND not_after < now() + interval '30 days'"));
    }

    /// <summary>The certificate crypto seals and signs receipts with (Crypto:RelayCertificate), as loaded at start: what a renewal must replace.</summary>
    sealed class RelayCertificateGauge : IHostedService
    {
        public RelayCertificateGauge(IMeterFactory meters, PackageSealer sealer, TimeProvider clock)
        {
            var notAfter = new DateTimeOffset(sealer.SigningCertificate.NotAfter.ToUniversalTime());
            meters.Create(ServiceDefaultsExtensions.Meter.Name).CreateObservableGauge("careplanmesh.relay_certificate.expiry",
                () => (notAfter - clock.GetUtcNow()).TotalSeconds, "s", "Seconds until the relay's own signing certificate expires");
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
