using System.Diagnostics;
using System.Security.Cryptography;
using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.Intake.Retention;
using CarePlanMesh.Intake.Submissions.StateMachines;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>
/// Takes one send unit from the API: checks the upload, the file names and the route, stores the payload
/// (claim check) and the saga instance already in its first step, Validating (Received first in its timeline), then
/// sends that step's command and announces the unit. Nothing is stored when any check fails, and the payload and the
/// saga row commit together.
/// </summary>
public sealed class SubmissionIntake(
    SubmissionStore store,
    PostgresMessageDataRepository payloads,
    IRequestClient<CheckRoute> routeCheck,
    IBus bus,
    IOptions<IntakeOptions> options,
    IOptions<SubmissionOptions> sagaOptions,
    IOptions<RetentionOptions> retention,
    TimeProvider clock,
    ILogger<SubmissionIntake> logger)
{
    /// <param name="resend">The sender explicitly sends the same content again; otherwise a duplicate is refused.</param>
    public async Task<(SubmissionState? Accepted, IResult? Problem)> Accept(string office, IReadOnlyList<Upload> uploads, bool resend, CancellationToken cancellationToken)
    {
        var defects = new List<Defect>();
        var (plain, signatures) = Unwrap(uploads, defects);
        var names = new List<StandardFileName>();
        foreach (var upload in plain)
        {
            var name = StandardFileName.Parse(upload.FileName, defects);
            if (name is not null) names.Add(name);
            if (upload.Content.Length == 0)
                defects.Add(Defect.Error(upload.FileName, "file.empty", "ファイルが空です。", "The file is empty."));
        }
        foreach (var duplicate in plain.GroupBy(u => u.FileName).Where(g => g.Count() > 1))
            defects.Add(Defect.Error(duplicate.Key, "send-unit.duplicate-file", "同じファイル名が複数あります。", "The same file name appears more than once."));
        SendUnitRules.CheckNames(names, defects);
        if (defects.Any(d => d.Severity == Severity.Error))
            return (null, Problems.Of(422, "invalid-upload", "The files are not one valid send unit", "送信単位として受け付けられません",
                "Every defect is listed under 'errors'.", "すべての指摘を 'errors' に示します。", defects));

        var first = names[0];
        if (first.SenderOffice != office)
            return (null, Problems.Of(403, "sender-mismatch", "You may send only as your own office", "自事業所以外を送信元にできません",
                $"The file names name sender {first.SenderOffice}, but your certificate is for office {office}.",
                $"ファイル名の送信元は{first.SenderOffice}ですが、証明書の事業所は{office}です。"));

        var route = await CheckRoute(first, cancellationToken);
        if (route is not null)
            return (null, route);

        var digest = ContentDigest(plain);
        if (!resend && await store.FindDuplicate(first.SenderOffice, first.RecipientOffice, digest, clock.GetUtcNow() - retention.Value.DuplicateWindow, cancellationToken) is { } original)
            return (null, Problems.Of(409, "duplicate", "The same files were already sent", "同じファイルを送信済みです",
                $"Submission {original} holds the same files for the same recipient. To send them again on purpose, add ?resend=true.",
                $"同じ送信先へ同じ内容のファイルを送信済みです（{original}）。意図して再送する場合は ?resend=true を付けてください。",
                extensions: new Dictionary<string, object?> { ["original"] = $"/v1/submissions/{original}" }));

        var submission = await Store(first, names, plain, signatures, digest, cancellationToken);
        // Stored: from here the sender's going away must not fail the request, or an Idempotency-Key retry would find
        // the key released and the unit refused as a duplicate of itself.
        await Announce(submission);
        return (submission, null);
    }

    async Task<IResult?> CheckRoute(StandardFileName name, CancellationToken cancellationToken)
    {
        try
        {
            // Bounded here too: while the broker is down, MassTransit retries the send itself without end.
            var response = await routeCheck.GetResponse<RouteChecked>(
                new CheckRoute { SenderOffice = name.SenderOffice, RecipientOffice = name.RecipientOffice },
                cancellationToken, RequestTimeout.After(ms: (int)options.Value.RouteCheckTimeout.TotalMilliseconds))
                .WaitAsync(options.Value.RouteCheckTimeout, cancellationToken);
            var result = response.Message;
            return result.Allowed
                ? null
                : Problems.Of(result.Status is 0 ? 422 : result.Status, result.Reason ?? "route-refused", "The relay will not deliver to this recipient", "この送信先には配信できません",
                    result.ReasonEn ?? "The route is refused.", result.ReasonJa ?? "配信できません。");
        }
        catch (Exception exception) when (exception is RequestTimeoutException or TimeoutException)
        {
            return Problems.Of(503, "routing-unavailable", "Routing is not answering", "配信サービスが応答しません",
                "Nothing was stored; please send again shortly.", "何も保存していません。しばらくしてから再送してください。");
        }
    }

    /// <summary>SHA-256 over the files' names and SHA-256 digests in name order: the same send unit gives the same digest.</summary>
    static string ContentDigest(IReadOnlyList<Upload> uploads) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Concat(uploads
            .OrderBy(u => u.FileName, StringComparer.Ordinal)
            .Select(u => $"{u.FileName}\n{Convert.ToHexStringLower(SHA256.HashData(u.Content))}\n")))));

    /// <summary>
    /// Files the sender signed itself (name.p7m) are read out of their CMS; the signed originals travel beside them and
    /// crypto checks the signatures before sealing.
    /// </summary>
    public static (List<Upload> Plain, List<Upload> Signatures) Unwrap(IReadOnlyList<Upload> uploads, List<Defect> defects)
    {
        var plain = new List<Upload>();
        var signatures = new List<Upload>();
        foreach (var upload in uploads)
        {
            if (!SenderSignature.IsSigned(upload.FileName))
            {
                plain.Add(upload);
                continue;
            }
            if (SenderSignature.Content(upload.Content) is { } content)
            {
                plain.Add(new Upload(SenderSignature.InnerName(upload.FileName), content));
                signatures.Add(upload);
            }
            else
                defects.Add(Defect.Error(upload.FileName, "signature.unreadable",
                    "署名付きファイル（.p7m）がCMS署名データ（内容添付、DER）として読めません。",
                    "The signed file (.p7m) is not CMS SignedData with attached content (DER)."));
        }
        return (plain, signatures);
    }

    async Task<SubmissionState> Store(StandardFileName first, List<StandardFileName> names, IReadOnlyList<Upload> uploads, IReadOnlyList<Upload> signatures,
        string digest, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var archive = SendUnitArchive.Create(uploads.Concat(signatures).Select(u => new SendUnitArchive.Entry(u.FileName, u.Content)));
        var payload = payloads.Insert(archive);
        // The saga's first step starts here rather than from the announcement: one message, one saga load and one saga
        // write fewer per submission (docs/benchmarks.md, "2026-12-06 (6)").
        var submission = new SubmissionState
        {
            CorrelationId = NewId.NextGuid(),
            CurrentState = SubmissionStates.Validating,
            SenderOffice = first.SenderOffice,
            SenderServiceType = first.SenderServiceType,
            RecipientOffice = first.RecipientOffice,
            RecipientServiceType = first.RecipientServiceType,
            SendUnit = first.SendUnit,
            ServiceMonth = names.Select(n => n.Month).FirstOrDefault(m => m is not null and not "000000"),
            Files = uploads.Select((u, i) => new SubmittedFile
            {
                Name = u.FileName,
                Kind = names[i].Layout.Kind,
                Size = u.Content.Length,
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(u.Content)),
                SenderSigned = signatures.Any(s => SenderSignature.InnerName(s.FileName) == u.FileName),
            }).ToList(),
            ReceivedAt = now,
            ContentDigest = digest,
            PayloadAddress = payload.Address,
            // If the validation command below is lost, the sweeper sends it again once this passes.
            Deadline = now + sagaOptions.Value.StepTimeout,
            Timeline = [new TimelineEntry(SubmissionStates.Received, now), new TimelineEntry(SubmissionStates.Validating, now)],
            TraceParent = Activity.Current?.Id,
        };
        // The payload and the row commit together (one commit and one round trip fewer than two writes): neither exists
        // without the other.
        await store.Create(submission, payload, cancellationToken);
        return submission;
    }

    static readonly TimeSpan AnnounceTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Sends the first step's command and publishes SubmissionReceived (analytics' event), side by side.</summary>
    async Task Announce(SubmissionState submission)
    {
        try
        {
            var validation = SendValidation(submission);
            var announcement = bus.Publish(new SubmissionReceived
            {
                SubmissionId = submission.CorrelationId,
                SenderOffice = submission.SenderOffice,
                RecipientOffice = submission.RecipientOffice,
                SendUnit = submission.SendUnit,
                ServiceMonth = submission.ServiceMonth,
                FileKinds = submission.Files.Select(f => f.Kind).ToList(),
                FileCount = submission.Files.Count,
                TotalBytes = submission.Files.Sum(f => f.Size),
                ReceivedAt = submission.ReceivedAt,
            }, CancellationToken.None);
            await Task.WhenAll(validation, announcement).WaitAsync(AnnounceTimeout);
        }
        catch (Exception exception)
        {
            // Stored durably already: the sweeper sends the validation again when its deadline passes. The sender is
            // answered now, not when the broker is back.
            logger.LogWarning("Submission {SubmissionId} stored but not sent on ({ExceptionType}); the sweeper will send it",
                submission.CorrelationId, exception.GetType().Name);
        }
    }

    async Task SendValidation(SubmissionState submission) =>
        await (await bus.GetSendEndpoint(SubmissionStateMachine.ValidateAddress)).Send(SubmissionStateMachine.Validation(submission), CancellationToken.None);
}
