using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CarePlanMesh.Notification.Email;

/// <summary>Hands a message to the configured SMTP server (MailKit), or, without one, writes it to the pickup folder as .eml.</summary>
public sealed class MailTransport(IOptions<MailOptions> options, IHostEnvironment environment)
{
    public bool UsesSmtp => !string.IsNullOrWhiteSpace(options.Value.Host);

    public string PickupDirectory => Path.GetFullPath(options.Value.PickupDirectory, environment.ContentRootPath);

    public async Task Send(Guid id, string recipient, string subject, string body, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = subject;
        message.MessageId = $"{id:N}@careplanmesh";
        message.Body = new TextPart("plain") { Text = body };

        if (!UsesSmtp)
        {
            Directory.CreateDirectory(PickupDirectory);
            // Written under a temporary name and moved, so a reader never sees half a message.
            var path = Path.Combine(PickupDirectory, $"{id:N}.eml");
            await message.WriteToAsync(path + ".tmp", cancellationToken);
            File.Move(path + ".tmp", path, overwrite: true);
            return;
        }

        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(settings.Host!, settings.Port, settings.Security, cancellationToken);
        if (!string.IsNullOrEmpty(settings.UserName))
            await smtp.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
        await smtp.SendAsync(message, cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }
}
