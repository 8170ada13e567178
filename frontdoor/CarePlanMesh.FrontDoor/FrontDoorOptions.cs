namespace CarePlanMesh.FrontDoor;

/// <summary>
/// Configuration section "FrontDoor". Required beside these: FrontDoor:ServerCertificate and FrontDoor:ServerKey (PEM of the
/// public TLS certificate) and FrontDoor:ClientCa (PEM of the CA that issues office certificates).
/// </summary>
public sealed class FrontDoorOptions
{
    /// <summary>The public HTTPS address offices and vendors call.</summary>
    public string PublicUrl { get; set; } = "https://127.0.0.1:7443";

    /// <summary>The intake replicas by name: each one's public HTTPS address and its management address (health).</summary>
    public Dictionary<string, IntakeReplica> Intake { get; set; } = [];

    /// <summary>PEM of the CA that issued intake's TLS certificate; ClientCa when not set (the development PKI issues both).</summary>
    public string? IntakeCa { get; set; }

    /// <summary>The local address connections to intake come from, as listed in intake's Intake:TrustedProxies; the system's choice when not set.</summary>
    public string? SourceAddress { get; set; }

    /// <summary>The header that carries the office's certificate to intake (intake's Intake:ForwardedCertificateHeader).</summary>
    public string ForwardedCertificateHeader { get; set; } = "X-Client-Cert";

    /// <summary>The largest request body: intake's own limit by default (Intake:MaxFiles × Intake:MaxFileBytes + 1 MiB).</summary>
    public long MaxRequestBodyBytes { get; set; } = 20 * 10 * 1024 * 1024 + 1024 * 1024;

    /// <summary>How often each replica's /health/ready is asked, and how long an answer may take.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Deadlines longer than intake's own (Http:RequestTimeout 20 s, Http:UploadTimeout 5 min), so that intake's answer arrives first.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>How long a connection attempt to a replica may take before the next request goes elsewhere.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often host names in replica addresses are resolved again (a headless Service lists one address per pod).</summary>
    public TimeSpan DnsRefreshPeriod { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>One intake replica: Address is its public HTTPS URL (Intake:PublicUrl), Health its management URL (ASPNETCORE_URLS).</summary>
public sealed class IntakeReplica
{
    public string Address { get; set; } = "";
    public string Health { get; set; } = "";
}
