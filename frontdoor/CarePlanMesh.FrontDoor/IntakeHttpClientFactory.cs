using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using CarePlanMesh.Security;
using Yarp.ReverseProxy.Forwarder;

namespace CarePlanMesh.FrontDoor;

/// <summary>
/// The connections to intake: from the configured source address (the one intake lists in Intake:TrustedProxies), trusting
/// only intake's CA. Replicas are addressed by IP (one per pod behind a headless Service), so the server certificate must
/// chain to that CA and be a server certificate; its name is not compared with the address.
/// </summary>
public sealed class IntakeHttpClientFactory(X509Certificate2 intakeCa, IPAddress? source, TimeSpan connectTimeout) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = connectTimeout;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && IsIntakeServer(certificate);
        if (source is not null)
            handler.ConnectCallback = Connect;
    }

    bool IsIntakeServer(X509Certificate certificate)
    {
        using var server = new X509Certificate2(certificate);
        return Chains.To(intakeCa, server, DateTimeOffset.UtcNow, extraStore: null, Chains.ServerAuthentication, out _);
    }

    async ValueTask<Stream> Connect(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(source!.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
