using System.Security.Cryptography;
using CarePlanMesh.Contracts;
using CarePlanMesh.Crypto.Certificates;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.Crypto.Consumers;

/// <summary>
/// Signs the payload with the relay's key and encrypts it to every current certificate of the recipient, stores the
/// sealed package and its record together, announces it, and only then deletes the plaintext. A redelivery after any of these
/// steps finds the record and finishes the rest, so the plaintext is never needed twice.
/// </summary>
public sealed class SealSubmissionConsumer(
    CertificateStore certificates,
    PackageSealer sealer,
    PostgresMessageDataRepository payloads,
    NpgsqlDataSource dataSource,
    TimeProvider clock,
    ILogger<SealSubmissionConsumer> logger) : IConsumer<SealSubmission>
{
    public async Task Consume(ConsumeContext<SealSubmission> context)
    {
        var command = context.Message;
        var sealedPackage = await Find(command.SubmissionId, context.CancellationToken);
        if (sealedPackage is null)
        {
            var recipients = await certificates.Current(command.RecipientOffice, clock.GetUtcNow(), context.CancellationToken);
            if (recipients.Count == 0)
            {
                await context.Publish(new SealingFailed
                {
                    SubmissionId = command.SubmissionId,
                    Reason = "no-recipient-certificate",
                    ReasonJa = $"送信先の事業所（{command.RecipientOffice}）に有効な証明書が登録されていません。",
                    ReasonEn = $"The recipient office {command.RecipientOffice} has no valid certificate registered.",
                });
                return;
            }

            var plaintext = await command.Payload.Value;
            if (await SenderSignatureProblem(command, plaintext, context.CancellationToken) is { } problem)
            {
                await context.Publish(new SealingFailed
                {
                    SubmissionId = command.SubmissionId,
                    Reason = "sender-signature-invalid",
                    ReasonJa = problem.Ja,
                    ReasonEn = problem.En,
                });
                return;
            }
            var sealedBytes = sealer.Seal(plaintext, recipients);
            var stored = payloads.Insert(sealedBytes);
            sealedPackage = new SubmissionSealed
            {
                SubmissionId = command.SubmissionId,
                SealedBytes = sealedBytes.Length,
                SealedSha256 = Convert.ToHexStringLower(SHA256.HashData(sealedBytes)),
                RecipientCertificateCount = recipients.Count,
                SealedPackage = stored.Reference,
            };
            if (!await Record(sealedPackage, stored, context.CancellationToken))
            {
                // Another replica sealed it meanwhile: keep its package, drop ours.
                await payloads.Delete(stored.Address, context.CancellationToken);
                sealedPackage = (await Find(command.SubmissionId, context.CancellationToken))!;
            }
        }

        await context.Publish(sealedPackage);
        if (await payloads.Delete(command.Payload.Address, context.CancellationToken))
            logger.LogDebug("Sealed submission {SubmissionId} and deleted its plaintext", command.SubmissionId);
    }

    /// <summary>Every file the sender signed must verify against one of its registered, valid certificates and match the file it carries.</summary>
    async Task<(string Ja, string En)?> SenderSignatureProblem(SealSubmission command, byte[] plaintext, CancellationToken cancellationToken)
    {
        var entries = SendUnitArchive.Read(plaintext);
        var signed = entries.Where(e => SenderSignature.IsSigned(e.Name)).ToList();
        if (signed.Count == 0)
            return null;
        var registered = await certificates.Current(command.SenderOffice, clock.GetUtcNow(), cancellationToken);
        foreach (var signature in signed)
        {
            if (SenderSignature.Problem(signature.Content, registered) is { } problem)
                return ($"{SenderSignature.InnerName(signature.Name)}: {problem.Ja}", $"{SenderSignature.InnerName(signature.Name)}: {problem.En}");
            var file = entries.FirstOrDefault(e => e.Name == SenderSignature.InnerName(signature.Name));
            if (file is null || !file.Content.AsSpan().SequenceEqual(SenderSignature.Content(signature.Content)))
                return ($"{signature.Name}: 署名された内容と届いたファイルが一致しません。", $"{signature.Name}: the signed content does not match the file.");
        }
        return null;
    }

    async Task<SubmissionSealed?> Find(Guid submissionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT sealed_package, sealed_bytes, sealed_sha256, recipient_certs FROM crypto.sealed_packages WHERE submission_id = @id");
        command.Parameters.AddWithValue("id", submissionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new SubmissionSealed
        {
            SubmissionId = submissionId,
            SealedPackage = PostgresMessageDataRepository.Reference(new Uri(reader.GetString(0))),
            SealedBytes = reader.GetInt64(1),
            SealedSha256 = reader.GetString(2),
            RecipientCertificateCount = reader.GetInt32(3),
        };
    }

    /// <summary>
    /// Stores the sealed package and its record in one batch, which PostgreSQL commits as one implicit transaction: one
    /// commit and one round trip for both. False when another replica recorded its package first (ours is stored then).
    /// </summary>
    async Task<bool> Record(SubmissionSealed sealedPackage, PayloadInsert package, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        var record = new NpgsqlBatchCommand(
            """
            INSERT INTO crypto.sealed_packages (submission_id, sealed_package, sealed_bytes, sealed_sha256, recipient_certs)
            VALUES (@id, @package, @bytes, @sha, @certs)
            ON CONFLICT (submission_id) DO NOTHING
            """);
        record.Parameters.AddWithValue("id", sealedPackage.SubmissionId);
        record.Parameters.AddWithValue("package", package.Address.ToString());
        record.Parameters.AddWithValue("bytes", sealedPackage.SealedBytes);
        record.Parameters.AddWithValue("sha", sealedPackage.SealedSha256);
        record.Parameters.AddWithValue("certs", sealedPackage.RecipientCertificateCount);
        batch.BatchCommands.Add(package.Command);
        batch.BatchCommands.Add(record);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return record.RecordsAffected == 1;
    }
}

public sealed class SealSubmissionConsumerDefinition : ConsumerDefinition<SealSubmissionConsumer>
{
    public SealSubmissionConsumerDefinition()
    {
        EndpointName = Queues.SealSubmission;
        ConcurrentMessageLimit = Environment.ProcessorCount;
    }
}
