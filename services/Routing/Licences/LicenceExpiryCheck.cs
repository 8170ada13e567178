using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Routing.Licences;

/// <summary>What one run of the expiry check published.</summary>
public sealed record LicenceCheckResult(IReadOnlyList<LicenceExpiring> Expiring, IReadOnlyList<LicenceExpired> Expired);

/// <summary>
/// Tells each office, through notification, that the run of licences covering today ends within a threshold
/// (<see cref="LicenceExpiring"/>, 60 and 30 days by default) and that it ended (<see cref="LicenceExpired"/>). A renewal
/// continues the run, so an office that renewed in time is not warned. Once per office, licence and threshold: the insert
/// into routing.licence_warnings decides, and it commits only after the event is published, so that of two replicas
/// running the check one publishes, and a crash repeats a warning (notification drops the repeat) rather than losing it.
/// A licence found already past several thresholds is warned about the nearest; the others are marked as passed.
/// </summary>
public sealed class LicenceExpiryCheck(NpgsqlDataSource dataSource, LicenceBook book, IBus bus, IOptions<LicenceOptions> options)
{
    const int Ended = 0;

    public async Task<LicenceCheckResult> Run(CancellationToken cancellationToken)
    {
        var today = book.Today;
        var settings = options.Value;
        var thresholds = settings.WarnDaysBefore.Where(t => t > 0).Order().ToArray();
        var expiring = new List<LicenceExpiring>();
        var expired = new List<LicenceExpired>();
        foreach (var (office, licences) in await Recent(today.AddDays(-settings.ExpiredNoticeDays), cancellationToken))
        {
            if (LicenceBook.Cover(licences, today) is { } until)
            {
                var daysLeft = until.DayNumber - today.DayNumber;
                var crossed = thresholds.Where(t => daysLeft <= t).ToArray();
                var last = licences.Where(l => l.ValidTo == until).MaxBy(l => l.ValidFrom)!;
                var warning = new LicenceExpiring { Office = office, LicenceId = last.Id, Kind = last.Kind, ValidTo = until, DaysLeft = daysLeft, Threshold = crossed.FirstOrDefault() };
                if (crossed.Length > 0 && await Warn(office, last.Id, crossed, warning, cancellationToken))
                    expiring.Add(warning);
            }
            else if (licences.Where(l => l.ValidTo < today).MaxBy(l => l.ValidTo) is { } ended)
            {
                var notice = new LicenceExpired { Office = office, LicenceId = ended.Id, Kind = ended.Kind, ValidTo = ended.ValidTo };
                if (await Warn(office, ended.Id, [Ended], notice, cancellationToken))
                    expired.Add(notice);
            }
        }
        return new LicenceCheckResult(expiring, expired);
    }

    /// <summary>Every licence of the offices with one that ended on or after <paramref name="since"/> or is still running.</summary>
    async Task<IReadOnlyList<(string Office, IReadOnlyList<LicenceView> Licences)>> Recent(DateOnly since, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT office_number, id, kind, valid_from, valid_to FROM routing.licences
            WHERE office_number IN (SELECT office_number FROM routing.licences WHERE valid_to >= @since)
            ORDER BY office_number, valid_from
            """);
        command.Parameters.AddWithValue("since", since);
        var rows = new List<(string Office, LicenceView Licence)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add((reader.GetString(0), new LicenceView
            {
                Id = reader.GetGuid(1),
                Kind = reader.GetString(2),
                ValidFrom = reader.GetFieldValue<DateOnly>(3),
                ValidTo = reader.GetFieldValue<DateOnly>(4),
            }));
        return [.. rows.GroupBy(r => r.Office).Select(g => (g.Key, (IReadOnlyList<LicenceView>)[.. g.Select(r => r.Licence)]))];
    }

    /// <summary>Marks every crossed threshold and publishes the event if the nearest one had not been warned about yet.</summary>
    async Task<bool> Warn<T>(string office, Guid licence, int[] crossed, T message, CancellationToken cancellationToken) where T : class
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO routing.licence_warnings (office_number, licence_id, threshold, warned_at)
            SELECT @office, @licence, t, now() FROM unnest(@thresholds) AS t
            ON CONFLICT DO NOTHING
            RETURNING threshold
            """, connection, transaction);
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("licence", licence);
        command.Parameters.AddWithValue("thresholds", crossed);
        var inserted = new List<int>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                inserted.Add(reader.GetInt32(0));
        if (!inserted.Contains(crossed.Min()))
            return false;
        await bus.Publish(message, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}

/// <summary>Runs the licence expiry check every Licences:CheckInterval, the first time at start.</summary>
public sealed class LicenceExpiryCheckService(LicenceExpiryCheck check, IOptions<LicenceOptions> options, ILogger<LicenceExpiryCheckService> logger)
    : PeriodicService(options.Value.CheckInterval, logger)
{
    protected override async Task RunOnce(CancellationToken cancellationToken)
    {
        var result = await check.Run(cancellationToken);
        logger.LogInformation("Licence expiry check: {Expiring} warnings and {Expired} expiries published", result.Expiring.Count, result.Expired.Count);
    }
}
