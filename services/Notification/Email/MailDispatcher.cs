using System.Diagnostics;
using CarePlanMesh.Notification.Notifications;
using CarePlanMesh.ServiceDefaults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Notification.Email;

/// <summary>
/// Sends the e-mail outbox: claims due messages with FOR UPDATE SKIP LOCKED and a lease (so replicas never send one
/// twice at once and a crash mid-send only delays it), sends each, and on failure backs off exponentially until
/// Smtp:GiveUpAfter. Each send is an `email send` span in the trace that queued the message (<see cref="QueuedTrace"/>).
/// Addresses and bodies are never logged nor put in a span.
/// </summary>
public sealed class MailDispatcher(NpgsqlDataSource dataSource, MailTransport transport, IOptions<MailOptions> options, TimeProvider clock,
    ILogger<MailDispatcher> logger) : BackgroundService
{
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation(transport.UsesSmtp ? "E-mail goes to the configured SMTP server" : "No SMTP server configured: e-mail is written to {Folder}",
            transport.PickupDirectory);
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                while (await SendDue(stoppingToken) > 0)
                {
                }
            }
            // Anything but the service's own stop, a cancellation from elsewhere included (see SubmissionSweeper).
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(exception, "E-mail sweep failed; trying again in {Interval}", options.Value.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    async Task<int> SendDue(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = new List<(Guid Id, string Recipient, string Subject, string Body, int Attempts, string? TraceParent)>();
        await using (var claim = dataSource.CreateCommand(
            """
            UPDATE notification.emails SET leased_until = @until
            WHERE id IN (
                SELECT id FROM notification.emails
                WHERE sent_at IS NULL AND next_attempt_at <= @now AND (leased_until IS NULL OR leased_until < @now) AND created_at > @oldest
                ORDER BY next_attempt_at LIMIT 20
                FOR UPDATE SKIP LOCKED)
            RETURNING id, recipient, subject, body, attempts, traceparent
            """))
        {
            claim.Parameters.AddWithValue("until", now + Lease);
            claim.Parameters.AddWithValue("now", now);
            claim.Parameters.AddWithValue("oldest", now - options.Value.GiveUpAfter);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                due.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        foreach (var mail in due)
        {
            using var activity = StoredTraces.Continue("email send", ActivityKind.Client, mail.TraceParent);
            activity?.SetTag("careplanmesh.email_id", mail.Id.ToString());
            activity?.SetTag("careplanmesh.attempt", mail.Attempts + 1);
            try
            {
                await transport.Send(mail.Id, mail.Recipient, mail.Subject, mail.Body, cancellationToken);
                await Update(mail.Id, "sent_at = @now, leased_until = NULL, attempts = attempts + 1", clock.GetUtcNow(), cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The error's type only: a server's message may quote the address.
                activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
                var delay = TimeSpan.FromTicks(Math.Min(options.Value.RetryBase.Ticks * (1L << Math.Min(mail.Attempts, 20)), TimeSpan.FromHours(1).Ticks));
                logger.LogWarning("E-mail {Id} was not accepted ({Error}); retrying in {Delay}", mail.Id, exception.GetType().Name, delay);
                await Update(mail.Id, "attempts = attempts + 1, leased_until = NULL, next_attempt_at = @now + @delay", clock.GetUtcNow(), cancellationToken, delay);
            }
        }
        return due.Count;
    }

    async Task Update(Guid id, string set, DateTimeOffset now, CancellationToken cancellationToken, TimeSpan? delay = null)
    {
        await using var update = dataSource.CreateCommand($"UPDATE notification.emails SET {set} WHERE id = @id");
        update.Parameters.AddWithValue("id", id);
        update.Parameters.AddWithValue("now", now);
        if (delay is { } d)
            update.Parameters.AddWithValue("delay", d);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }
}
