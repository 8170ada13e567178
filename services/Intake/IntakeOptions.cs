namespace CarePlanMesh.Intake;

/// <summary>Configuration section "Intake": the public HTTPS edge and the upload limits.</summary>
public sealed class IntakeOptions
{
    public string PublicUrl { get; set; } = "https://127.0.0.1:7443";
    /// <summary>PEM files of the TLS server certificate and key.</summary>
    public string ServerCertificate { get; set; } = "";
    public string ServerKey { get; set; } = "";
    /// <summary>PEM of the CA that issues office certificates; client certificates must chain to it.</summary>
    public string ClientCa { get; set; } = "";
    public int MaxFiles { get; set; } = 20;
    public long MaxFileBytes { get; set; } = 10 * 1024 * 1024;
    public TimeSpan RouteCheckTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
