using CarePlanMesh.Intake.Receipts;
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
public sealed class RetentionPurge(NpgsqlDataSource dataSource, SubmissionStore submissions, ReceiptStore receipts, PostgresMessageDataRepository payloads,
    IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionPurge> logger)
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

    // Each run is one transaction: the claimed rows stay locked until their payloads are deleted and the rows updated.
    async Task<IReadOnlyList<Guid>> PurgePackages(DateTimeOffset finishedBefore, int limit, bool dryRun, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = await submissions.ClaimUnpurged(transaction, finishedBefore, limit, cancellationToken);
        Guid[] ids = [.. due.Select(d => d.Id)];
        if (dryRun || ids.Length == 0)
            return ids;

        foreach (var address in due.SelectMany(d => new[] { d.Payload, d.SealedPackage }).OfType<Uri>())
            await payloads.Delete(address, cancellationToken);
        await submissions.MarkPurged(transaction, ids, clock.GetUtcNow(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ids;
    }

    async Task<IReadOnlyList<Guid>> DeleteMetadata(DateTimeOffset finishedBefore, int limit, bool dryRun, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = await submissions.ClaimPurged(transaction, finishedBefore, limit, cancellationToken);
        Guid[] ids = [.. due.Select(d => d.Id)];
        if (dryRun || ids.Length == 0)
            return ids;

        foreach (var report in due.Select(d => d.DefectReport).OfType<Uri>())
            await payloads.Delete(report, cancellationToken);
        await receipts.DeleteFor(transaction, ids, cancellationToken);
        await submissions.Delete(transaction, ids, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ids;
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
