using CarePlanMesh.Contracts;
using CarePlanMesh.Routing.Directory;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.Routing.Consumers;

/// <summary>
/// Checks the route again (the directory may have changed since intake asked) and places the sealed package in the
/// recipient's mailbox. Idempotent: a redelivered command finds the placement and announces it again.
/// </summary>
public sealed class RouteSubmissionConsumer(OfficeDirectory directory, NpgsqlDataSource dataSource, TimeProvider clock) : IConsumer<RouteSubmission>
{
    public async Task Consume(ConsumeContext<RouteSubmission> context)
    {
        var command = context.Message;
        var route = await directory.Check(command.SenderOffice, command.RecipientOffice, context.CancellationToken);
        if (!route.Allowed)
        {
            await context.Publish(new RoutingFailed
            {
                SubmissionId = command.SubmissionId,
                Reason = route.Reason ?? "refused",
                ReasonJa = route.ReasonJa ?? "",
                ReasonEn = route.ReasonEn ?? "",
            });
            return;
        }

        var (routedAt, latest) = await Place(command, context.CancellationToken);
        var outOfOrder = latest is not null && string.CompareOrdinal(command.SendUnit, latest) < 0;
        await context.Publish(new SubmissionRouted
        {
            SubmissionId = command.SubmissionId,
            SenderOffice = command.SenderOffice,
            RecipientOffice = command.RecipientOffice,
            RoutedAt = routedAt,
            OutOfOrder = outOfOrder,
            LatestSendUnit = latest,
        });
    }

    /// <summary>
    /// Places the package once (a redelivery finds the first placement, so RoutedAt never changes) and returns the highest
    /// 連番 placed before it from the same sender for the same recipient. The pair's advisory lock orders placements by
    /// several routing replicas, so two concurrent units cannot both miss each other. The lock and the placement go in
    /// one batch, which PostgreSQL runs as one transaction (the lock is held to its end) in one round trip.
    /// </summary>
    async Task<(DateTimeOffset RoutedAt, string? Latest)> Place(RouteSubmission command, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        var lockPair = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtextextended(@pair, 0))");
        lockPair.Parameters.AddWithValue("pair", $"{command.SenderOffice}>{command.RecipientOffice}");
        var place = new NpgsqlBatchCommand(
            """
            WITH earlier AS (
                SELECT max(send_unit) AS latest FROM routing.mailbox_items
                WHERE sender_office = @sender AND recipient_office = @recipient AND submission_id <> @id
                  AND routed_at <= coalesce((SELECT routed_at FROM routing.mailbox_items WHERE submission_id = @id), 'infinity')),
            placed AS (
                INSERT INTO routing.mailbox_items (submission_id, sender_office, recipient_office, send_unit, file_kinds, sealed_package, routed_at)
                VALUES (@id, @sender, @recipient, @unit, @kinds, @package, @at)
                ON CONFLICT (submission_id) DO NOTHING
                RETURNING routed_at)
            SELECT (SELECT routed_at FROM placed UNION ALL SELECT routed_at FROM routing.mailbox_items WHERE submission_id = @id LIMIT 1),
                   (SELECT latest FROM earlier)
            """);
        place.Parameters.AddWithValue("id", command.SubmissionId);
        place.Parameters.AddWithValue("sender", command.SenderOffice);
        place.Parameters.AddWithValue("recipient", command.RecipientOffice);
        place.Parameters.AddWithValue("unit", command.SendUnit);
        place.Parameters.AddWithValue("kinds", command.FileKinds.ToArray());
        place.Parameters.AddWithValue("package", command.SealedPackage.Address.ToString());
        place.Parameters.AddWithValue("at", clock.GetUtcNow());
        batch.BatchCommands.Add(lockPair);
        batch.BatchCommands.Add(place);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }
}

public sealed class RouteSubmissionConsumerDefinition : ConsumerDefinition<RouteSubmissionConsumer>
{
    public RouteSubmissionConsumerDefinition() => EndpointName = Queues.RouteSubmission;
}
