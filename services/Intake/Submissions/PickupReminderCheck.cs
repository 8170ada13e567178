using System.Diagnostics;
using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Submissions;

/// <summary>
/// Reminds the recipient of a delivery it has not picked up: once <see cref="SubmissionOptions.PickupReminderAfter"/> after
/// it arrived and once <see cref="SubmissionOptions.PickupReminderBefore"/> before its deadline. Run by the
/// <see cref="SubmissionSweeper"/> in every intake replica: the insert keyed by (submission, reminder) decides which replica
/// tells notification (<see cref="PickupReminderStore"/>), and it commits only after the command is sent, so a crash
/// repeats a reminder (notification drops the repeat) rather than losing it.
/// </summary>
public sealed class PickupReminderCheck(PickupReminderStore store, IBus bus, IOptions<SubmissionOptions> options)
{
    public Task<int> RemindOnce(int limit, CancellationToken cancellationToken)
    {
        var period = options.Value;
        return store.RecordDue(period.PickupPeriod, period.PickupReminderAfter, period.PickupReminderBefore, limit, async (due, token) =>
        {
            if (due.Count == 0)
                return;
            var endpoint = await bus.GetSendEndpoint(Queues.Address(Queues.NotifyOffice));
            foreach (var reminder in due)
            {
                // Part of the submission's trace, like the sweeper's re-drives.
                using var activity = StoredTraces.Continue("pickup reminder", ActivityKind.Internal, reminder.TraceParent);
                activity?.SetTag("careplanmesh.submission_id", reminder.SubmissionId.ToString());
                await endpoint.Send(new NotifyOffice
                {
                    SubmissionId = reminder.SubmissionId,
                    Reminder = reminder.Reminder,
                    OfficeNumber = reminder.RecipientOffice,
                    Deadline = reminder.Deadline,
                    Topic = NotificationTopics.DeliveryPickupReminder,
                }, token);
            }
        }, cancellationToken);
    }
}
