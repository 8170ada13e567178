using CarePlanMesh.Contracts;
using CarePlanMesh.Notification.Email;
using CarePlanMesh.Notification.Notifications;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Notification.Consumers;

/// <summary>
/// Records an invitation to an unregistered office and queues its e-mail (who invites, what CarePlanMesh is, how to join),
/// once per partnership however often the command arrives.
/// </summary>
public sealed class SendInvitationConsumer(NpgsqlDataSource dataSource, MailOutbox mail, IOptions<NotificationOptions> options, TimeProvider clock)
    : IConsumer<SendInvitation>
{
    public const string EmailChannel = "email";

    public async Task Consume(ConsumeContext<SendInvitation> context)
    {
        var invitation = context.Message;
        await using var connection = await dataSource.OpenConnectionAsync(context.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(context.CancellationToken);
        await using (var record = new NpgsqlCommand(
            """
            INSERT INTO notification.invitations (partnership_id, inviter_office, email, channel, created_at)
            VALUES (@id, @inviter, @email, @channel, @at)
            ON CONFLICT (partnership_id) DO NOTHING
            """, connection, transaction))
        {
            record.Parameters.AddWithValue("id", invitation.PartnershipId);
            record.Parameters.AddWithValue("inviter", invitation.InviterOffice);
            record.Parameters.AddWithValue("email", invitation.Email);
            record.Parameters.AddWithValue("channel", EmailChannel);
            record.Parameters.AddWithValue("at", clock.GetUtcNow());
            await record.ExecuteNonQueryAsync(context.CancellationToken);
        }
        string inviterName;
        await using (var name = new NpgsqlCommand("SELECT coalesce((SELECT name FROM notification.offices WHERE office_number = @office), '')", connection, transaction))
        {
            name.Parameters.AddWithValue("office", invitation.InviterOffice);
            inviterName = (string)(await name.ExecuteScalarAsync(context.CancellationToken))!;
        }
        var (subject, body) = MailTemplates.Invitation(invitation.InviterOffice, inviterName, options.Value.PublicUrl);
        await mail.Queue(connection, transaction, invitation.Email, subject, body, $"invitation:{invitation.PartnershipId}", context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
    }
}

public sealed class SendInvitationConsumerDefinition : ConsumerDefinition<SendInvitationConsumer>
{
    public SendInvitationConsumerDefinition() => EndpointName = Queues.SendInvitation;
}
