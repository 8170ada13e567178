namespace CarePlanMesh.Notification.Webhooks;

/// <summary>Webhooks:* settings.</summary>
public sealed class WebhookOptions
{
    static readonly TimeSpan[] DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>
    /// Waits after the 1st, 2nd, … failed attempt; after the last the message is abandoned. Default: 5 s, 5 min, 30 min,
    /// 2 h, 5 h, 10 h, 10 h — eight attempts over about 28 hours.
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    public IReadOnlyList<TimeSpan> Delays => RetryDelays is { Length: > 0 } delays ? delays : DefaultRetryDelays;

    /// <summary>An endpoint that has failed without a single success for this long is disabled and its office told by e-mail.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);
    /// <summary>After a rotation the previous secret keeps signing this long.</summary>
    public TimeSpan RotationGracePeriod { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>http:// to a loopback address; by default only when the relay runs in Development (the local run).</summary>
    public bool? AllowLoopbackHttp { get; set; }
    /// <summary>
    /// Private ranges (CIDR, e.g. 10.20.0.0/16) webhooks may go to, for an on-premises receiver; every other private,
    /// loopback, link-local or reserved address is refused (<see cref="WebhookDestinations"/>).
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];
}
