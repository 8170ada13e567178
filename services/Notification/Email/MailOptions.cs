using MailKit.Security;

namespace CarePlanMesh.Notification.Email;

/// <summary>SMTP settings (Smtp:*). Without a host every message is written as an .eml file to the pickup folder instead.</summary>
public sealed class MailOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary>StartTls by default; None only for a local test server.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "CarePlanMesh <noreply@careplanmesh.example>";
    public string PickupDirectory { get; set; } = ".data/mail";
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>The first retry waits this long, each further one twice as long, at most an hour.</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>A message the server has not taken after this long is given up.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(3);
}
