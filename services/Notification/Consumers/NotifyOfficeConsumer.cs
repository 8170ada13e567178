using System.Text.Json.Nodes;
using CarePlanMesh.Contracts;
using CarePlanMesh.Notification.Notifications;
using MassTransit;

namespace CarePlanMesh.Notification.Consumers;

/// <summary>
/// Records the notification in the office's inbox, once per (submission, office, topic) — for a pickup reminder once per
/// (submission, office, reminder) — however often the command arrives, queues it for the office's webhooks and e-mail, and
/// announces it.
/// </summary>
public sealed class NotifyOfficeConsumer(Notifier notifier) : IConsumer<NotifyOffice>
{
    public const string InboxChannel = "inbox";

    public async Task Consume(ConsumeContext<NotifyOffice> context)
    {
        var command = context.Message;
        var topic = Topics.FromCommand(command.Topic);
        // The recipient reads a delivery in its mailbox; the sender follows a submission under /v1/submissions.
        var toRecipient = command.ToRecipient ?? topic is Topics.DeliveryAvailable or Topics.DeliveryWithdrawn or Topics.DeliveryPickupReminder;
        var self = toRecipient ? $"/v1/mailbox/{command.SubmissionId}" : $"/v1/submissions/{command.SubmissionId}";
        var data = new JsonObject
        {
            ["office"] = command.OfficeNumber,
            ["submissionId"] = command.SubmissionId,
            ["links"] = new JsonObject { ["self"] = self },
        };
        if (command.ErrorCount is { } errors)
            data["errorCount"] = errors;
        if (command.WarningCount is { } warnings)
            data["warningCount"] = warnings;
        if (command.Deadline is { } deadline)
            data["deadline"] = deadline;
        // A submission has two reminders under one topic: they are told apart by their subject, not by the submission.
        var (id, at) = command.Reminder is { } reminder
            ? await notifier.Record(command.OfficeNumber, command.Topic, $"{command.SubmissionId}:{reminder}", null, Reminder(data, reminder), context.CancellationToken)
            : await notifier.Record(command.OfficeNumber, command.Topic, command.SubmissionId.ToString(), command.SubmissionId, data, context.CancellationToken);

        await context.Publish(new RecipientNotified
        {
            SubmissionId = command.SubmissionId,
            NotificationId = id,
            OfficeNumber = command.OfficeNumber,
            Topic = command.Topic,
            Channel = InboxChannel,
            NotifiedAt = at,
        });
    }

    static JsonObject Reminder(JsonObject data, string reminder)
    {
        data["reminder"] = reminder;
        return data;
    }
}

public sealed class NotifyOfficeConsumerDefinition : ConsumerDefinition<NotifyOfficeConsumer>
{
    public NotifyOfficeConsumerDefinition() => EndpointName = Queues.NotifyOffice;
}
