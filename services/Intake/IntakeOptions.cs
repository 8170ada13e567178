namespace CarePlanMesh.Intake;

/// <summary>
/// Configuration section "Intake": the public HTTPS edge and the upload limits. Required beside these:
/// Intake:ServerCertificate and Intake:ServerKey (PEM files of the TLS server certificate) and Intake:ClientCa
/// (PEM of the CA that issues office certificates; client certificates must chain to it).
/// </summary>
public sealed class IntakeOptions
{
    public string PublicUrl { get; set; } = "https://127.0.0.1:7443";
    public int MaxFiles { get; set; } = 20;
    public long MaxFileBytes { get; set; } = 10 * 1024 * 1024;
    public TimeSpan RouteCheckTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Addresses (or CIDR ranges) of front doors that terminate TLS and forward the client certificate; empty: none is trusted.</summary>
    public List<string> TrustedProxies { get; set; } = [];
    /// <summary>The header carrying the forwarded certificate: URL-escaped PEM (nginx $ssl_client_escaped_cert) or base64 DER.</summary>
    public string ForwardedCertificateHeader { get; set; } = "X-Client-Cert";
}
