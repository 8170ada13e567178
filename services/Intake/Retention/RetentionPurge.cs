using CarePlanMesh.Intake.Submissions;
using CarePlanMesh.ServiceDefaults.MessageData;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Intake.Retention;

/// <summary>What one purge run deleted, or would delete in a dry run.</summary>
public sealed record PurgeReport(bool DryRun, IReadOnlyList<Guid> PackagesPurged, IReadOnlyList<Guid> MetadataDeleted);

/// <summary>
/// Retention (issue #5 §4): sealed packages and any payload left are deleted <see cref="RetentionOptions.SealedPackages"/>
/// after a submission finished (acknowledged, expired, withdrawn, rejected, failed); its metadata — states, timeline,
/// digests, the masked defect report, its signed receipts — stays for the audit period <see cref="RetentionOptions.Metadata"/>. Several replicas
/// may run it at once: rows are claimed with SKIP LOCKED.
/// </summary>
public sealed class RetentionPurge(NpgsqlDataSource dataSource, PostgresMessageDataRepository payloads, IOptions<RetentionOptions> options, TimeProvider clock,
    ILogger<RetentionPurge> logger)
{
    public async Task<PurgeReport> Run(bool dryRun, CancellationToken cancellationToken)
    {
        var retention = options.Value;
        var now = clock.GetUtcNow();
        var packages = await PurgePackages(now - retention.SealedPackages, retention.BatchSize, dryRun, cancellationToken);
        var metadata = await DeleteMetadata(now - retention.Metadata, retention.BatchSize, dryRun, cancellationToken);
        logger.LogInformation("Retention {Mode}: {Packages} submissions' packages purged, {Metadata} submissions' metadata deleted",
            dryRun ? "dry run" : "purge", packages.Count, metadata.Count);
        return new PurgeReport(dryRun, packages, metadata);
    }

    async Task<IReadOnlyList<Guid>> PurgePackages(DateTimeOffset finishedBefore, int limit, bool dryRun, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = await Claim(connection, transaction, "data->>'payloadAddress', data->>'sealedPackageAddress'", "purged_at IS NULL", finishedBefore, limit,
            reader => (reader.GetGuid(0), (Uri[])[.. new[] { 1, 2 }.Where(i => !reader.IsDBNull(i)).Select(i => new Uri(reader.GetString(i)))]), cancellationToken);
        if (dryRun || due.Count == 0)
            return [.. due.Select(d => d.Id)];

        foreach (var address in due.SelectMany(d => d.Value))
            await payloads.Delete(address, cancellationToken);
        await using (var mark = new NpgsqlCommand($"UPDATE {SubmissionStore.Table} SET purged_at = @now WHERE correlation_id = ANY (@ids)", connection, transaction))
        {
            mark.Parameters.AddWithValue("now", clock.GetUtcNow());
            mark.Parameters.AddWithValue("ids", due.Select(d => d.Id).ToArray());
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return [.. due.Select(d => d.Id)];
    }

    async Task<IReadOnlyList<Guid>> DeleteMetadata(DateTimeOffset finishedBefore, int limit, bool dryRun, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = await Claim(connection, transaction, "data->>'defectReportAddress'", "purged_at IS NOT NULL", finishedBefore, limit,
            reader => (reader.GetGuid(0), reader.IsDBNull(1) ? null : new Uri(reader.GetString(1))), cancellationToken);
        if (dryRun || due.Count == 0)
            return [.. due.Select(d => d.Id)];

        foreach (var report in due.Select(d => d.Value).OfType<Uri>())
            await payloads.Delete(report, cancellationToken);
        await using (var delete = new NpgsqlCommand(
            $"DELETE FROM intake.receipts WHERE submission_id = ANY (@ids); DELETE FROM {SubmissionStore.Table} WHERE correlation_id = ANY (@ids)", connection, transaction))
        {
            delete.Parameters.AddWithValue("ids", due.Select(d => d.Id).ToArray());
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return [.. due.Select(d => d.Id)];
    }

    /// <summary>Finished submissions past a point, oldest first, locked for this run (other replicas skip them).</summary>
    static async Task<List<(Guid Id, T Value)>> Claim<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string columns, string condition,
        DateTimeOffset finishedBefore, int limit, Func<NpgsqlDataReader, (Guid, T)> read, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand(
            $"""
            SELECT correlation_id, {columns} FROM {SubmissionStore.Table}
            WHERE finished_at < @before AND {condition}
            ORDER BY finished_at
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
            """, connection, transaction);
        select.Parameters.AddWithValue("before", finishedBefore);
        select.Parameters.AddWithValue("limit", limit);
        var rows = new List<(Guid Id, T Value)>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(read(reader));
        return rows;
    }
}

/// <summary>Runs the purge every Retention:Interval (a dry run when Retention:DryRun is set).</summary>
public sealed class RetentionService(RetentionPurge purge, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await purge.Run(options.Value.DryRun, stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(exception, "The retention purge failed; it runs again in {Interval}", options.Value.Interval);
            }
        }
    }
}
