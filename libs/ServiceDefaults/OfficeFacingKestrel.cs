using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;

namespace CarePlanMesh.ServiceDefaults;

/// <summary>The listeners of a process that offices call directly (intake without a front door, the front door).</summary>
public static class OfficeFacingKestrel
{
    /// <summary>
    /// Binds the management address of ASPNETCORE_URLS (explicit endpoints replace it, so it is bound here too) and the public
    /// URL with TLS 1.2/1.3 that asks for the office's client certificate but lets any certificate, or none, complete the
    /// handshake: the chain is checked per request, so a missing or foreign certificate gets a problem document that says
    /// why instead of a failed handshake.
    /// </summary>
    public static void ListenForOffices(this KestrelServerOptions kestrel, IConfiguration configuration, string publicUrl, X509Certificate2 serverCertificate)
    {
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            kestrel.Listen(Endpoint(new Uri(url.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0"))));
        kestrel.Listen(Endpoint(new Uri(publicUrl)), listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serverCertificate;
            https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = (_, _, _) => true;
        }));
    }

    static IPEndPoint Endpoint(Uri url) => new(IPAddress.Parse(url.Host == "localhost" ? "127.0.0.1" : url.Host), url.Port);
}
