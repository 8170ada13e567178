using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Security;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Crypto.Certificates;

/// <summary>Configuration section "Certificates": the expiry check (issue #4 §8).</summary>
public sealed class ExpiryOptions
{
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Warn when a certificate comes within this many days of its end; each threshold once.</summary>
    public List<int> WarnDaysBefore { get; set; } = [90, 30, 7];
}

/// <summary>
/// Publishes <see cref="CertificateExpiring"/> for every unrevoked office certificate and for the relay's signing
/// certificate that has come within a warning threshold, once per certificate and threshold. A certificate found
/// already past several thresholds is warned about the nearest and the others are marked as passed.
/// </summary>
public sealed class ExpiryCheck(NpgsqlDataSource dataSource, PackageSealer sealer, IPublishEndpoint publish, IOptions<ExpiryOptions> options, TimeProvider clock)
{
    public async Task<IReadOnlyList<CertificateExpiring>> Run(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var thresholds = options.Value.WarnDaysBefore.Order().ToArray();
        var relay = sealer.SigningCertificate;
        var certificates = new List<(string? Office, string Thumbprint, DateTimeOffset NotAfter)>
        {
            (null, relay.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), new DateTimeOffset(relay.NotAfter.ToUniversalTime())),
        };
        await using (var command = dataSource.CreateCommand(
            "SELECT office_number, thumbprint, not_after FROM crypto.office_certificates WHERE revoked_at IS NULL AND not_after > @now AND not_after <= @horizon"))
        {
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("horizon", now.AddDays(thresholds.DefaultIfEmpty(0).Max()));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                certificates.Add((reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        var warnings = new List<CertificateExpiring>();
        foreach (var (office, thumbprint, notAfter) in certificates.Where(c => c.NotAfter > now))
        {
            var daysLeft = (int)Math.Floor((notAfter - now).TotalDays);
            var crossed = thresholds.Where(t => daysLeft < t).ToArray();
            if (crossed.Length > 0 && await Record(thumbprint, office, notAfter, crossed, now, cancellationToken) is { } nearest)
                warnings.Add(new CertificateExpiring { Office = office, Thumbprint = thumbprint, NotAfter = notAfter, DaysLeft = daysLeft, Threshold = nearest });
        }
        foreach (var warning in warnings)
            await publish.Publish(warning, cancellationToken);
        return warnings;
    }

    /// <summary>Marks every crossed threshold; returns the nearest one if it had not been warned about yet.</summary>
    async Task<int?> Record(string thumbprint, string? office, DateTimeOffset notAfter, int[] crossed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO crypto.expiry_warnings (thumbprint, threshold, office, not_after, warned_at)
            SELECT @thumbprint, t, @office, @notAfter, @now FROM unnest(@thresholds) AS t
            ON CONFLICT DO NOTHING
            RETURNING threshold
            """);
        command.Parameters.AddWithValue("thumbprint", thumbprint);
        command.Parameters.Add(new NpgsqlParameter<string?>("office", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = office });
        command.Parameters.AddWithValue("notAfter", notAfter);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("thresholds", crossed);
        var inserted = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            inserted.Add(reader.GetInt32(0));
        return inserted.Contains(crossed.Min()) ? crossed.Min() : null;
    }
}

/// <summary>Runs the expiry check every Certificates:CheckInterval, the first time at start.</summary>
public sealed class ExpiryCheckService(IServiceScopeFactory scopes, IOptions<ExpiryOptions> options, ILogger<ExpiryCheckService> logger)
    : PeriodicService(options.Value.CheckInterval, logger)
{
    protected override async Task RunOnce(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var warnings = await scope.ServiceProvider.GetRequiredService<ExpiryCheck>().Run(cancellationToken);
        logger.LogInformation("Certificate expiry check: {Count} warnings published", warnings.Count);
    }
}
