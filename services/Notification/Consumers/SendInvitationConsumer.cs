using CarePlanMesh.Contracts;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.Notification.Consumers;

/// <summary>
/// Records an invitation e-mail owed to an unregistered office, once per partnership however often the command arrives.
/// Sending the mail is the e-mail channel's job (a delivery-channel issue); the record is what it works from.
/// </summary>
public sealed class SendInvitationConsumer(NpgsqlDataSource dataSource, TimeProvider clock) : IConsumer<SendInvitation>
{
    public const string EmailChannel = "email";

    public async Task Consume(ConsumeContext<SendInvitation> context)
    {
        await using var record = dataSource.CreateCommand(
            """
            INSERT INTO notification.invitations (partnership_id, inviter_office, email, channel, created_at)
            VALUES (@id, @inviter, @email, @channel, @at)
            ON CONFLICT (partnership_id) DO NOTHING
            """);
        record.Parameters.AddWithValue("id", context.Message.PartnershipId);
        record.Parameters.AddWithValue("inviter", context.Message.InviterOffice);
        record.Parameters.AddWithValue("email", context.Message.Email);
        record.Parameters.AddWithValue("channel", EmailChannel);
        record.Parameters.AddWithValue("at", clock.GetUtcNow());
        await record.ExecuteNonQueryAsync(context.CancellationToken);
    }
}

public sealed class SendInvitationConsumerDefinition : ConsumerDefinition<SendInvitationConsumer>
{
    public SendInvitationConsumerDefinition() => EndpointName = Queues.SendInvitation;
}
