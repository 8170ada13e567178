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

        // One statement: the placement if new, else the earlier one (a redelivery), so RoutedAt never changes.
        await using var place = dataSource.CreateCommand(
            """
            WITH placed AS (
                INSERT INTO routing.mailbox_items (submission_id, sender_office, recipient_office, send_unit, file_kinds, sealed_package, routed_at)
                VALUES (@id, @sender, @recipient, @unit, @kinds, @package, @at)
                ON CONFLICT (submission_id) DO NOTHING
                RETURNING routed_at)
            SELECT routed_at FROM placed
            UNION ALL
            SELECT routed_at FROM routing.mailbox_items WHERE submission_id = @id
            LIMIT 1
            """);
        place.Parameters.AddWithValue("id", command.SubmissionId);
        place.Parameters.AddWithValue("sender", command.SenderOffice);
        place.Parameters.AddWithValue("recipient", command.RecipientOffice);
        place.Parameters.AddWithValue("unit", command.SendUnit);
        place.Parameters.AddWithValue("kinds", command.FileKinds.ToArray());
        place.Parameters.AddWithValue("package", command.SealedPackage.Address.ToString());
        place.Parameters.AddWithValue("at", clock.GetUtcNow());
        DateTimeOffset routedAt;
        await using (var reader = await place.ExecuteReaderAsync(context.CancellationToken))
        {
            await reader.ReadAsync(context.CancellationToken);
            routedAt = reader.GetFieldValue<DateTimeOffset>(0);
        }

        await context.Publish(new SubmissionRouted
        {
            SubmissionId = command.SubmissionId,
            SenderOffice = command.SenderOffice,
            RecipientOffice = command.RecipientOffice,
            RoutedAt = routedAt,
        });
    }
}

public sealed class RouteSubmissionConsumerDefinition : ConsumerDefinition<RouteSubmissionConsumer>
{
    public RouteSubmissionConsumerDefinition() => EndpointName = Queues.RouteSubmission;
}
