using System.Diagnostics.Metrics;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.ServiceDefaults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>
/// Admission control (docs/operations.md, "Admission control"). Past the mesh's capacity a backlog grows without end and
/// every sender waits for it; instead, while <see cref="SubmissionOptions.MaxInPipeline"/> submissions or more are between
/// receipt and the mailbox, a new one is refused at once with 503 pipeline-busy and Retry-After, and nothing is stored.
/// Every replica counts the pipeline in the database every <see cref="SubmissionOptions.PipelineCheckInterval"/> (the
/// count is shared by all replicas); while the count cannot be read, submissions are admitted and the store's own errors
/// answer.
/// </summary>
public sealed class PipelineAdmission : BackgroundService
{
    static readonly Counter<long> Refused = ServiceDefaultsExtensions.Meter.CreateCounter<long>(
        "careplanmesh.submissions.refused_busy", "{submission}", "Submissions refused with 503 pipeline-busy by admission control");

    readonly SubmissionStore _store;
    readonly SubmissionOptions _options;
    readonly ILogger<PipelineAdmission> _logger;
    long _inPipeline;
    bool _unreadable;

    public PipelineAdmission(SubmissionStore store, IOptions<SubmissionOptions> options, IMeterFactory meters, ILogger<PipelineAdmission> logger)
    {
        (_store, _options, _logger) = (store, options.Value, logger);
        meters.Create(ServiceDefaultsExtensions.Meter.Name).CreateObservableGauge("careplanmesh.submissions.in_pipeline",
            () => Interlocked.Read(ref _inPipeline), "{submission}",
            "Submissions between receipt and the mailbox, as this replica last counted them for admission control");
    }

    /// <summary>The 503 to answer instead of taking a submission, or null to take it.</summary>
    public IResult? Refusal()
    {
        var limit = _options.MaxInPipeline;
        if (limit <= 0 || Interlocked.Read(ref _inPipeline) < limit)
            return null;
        Refused.Add(1);
        return Problems.Of(StatusCodes.Status503ServiceUnavailable, "pipeline-busy", "The relay is busy", "中継が混み合っています",
            "More submissions are being processed than the relay takes at once. Nothing was stored; send again after the seconds in Retry-After (with the same Idempotency-Key).",
            "処理中の送信が中継の上限に達しています。何も保存していません。Retry-After の秒数待ってから（同じ Idempotency-Key で）再送してください。");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.MaxInPipeline <= 0)
            return;
        using var timer = new PeriodicTimer(_options.PipelineCheckInterval);
        do
        {
            try
            {
                Interlocked.Exchange(ref _inPipeline, await _store.CountInPipeline(stoppingToken));
                _unreadable = false;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                Interlocked.Exchange(ref _inPipeline, 0);
                if (!_unreadable)
                    _logger.LogWarning("Admission control cannot count the pipeline ({ExceptionType}); submissions are admitted until it can",
                        exception.GetType().Name);
                _unreadable = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
