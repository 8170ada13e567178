using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security.Tests;

public sealed class TlsTests(DevelopmentPkiFixture pki) : IClassFixture<DevelopmentPkiFixture>
{
    [Fact]
    public async Task Server_certificate_from_PEM_completes_a_TLS_handshake_and_the_server_reads_the_office_from_the_client_certificate()
    {
        using var server = pki.WithKey("server");
        using var office = pki.WithKey("offices", "0300000100");
        var ca = pki.Ca;
        Assert.True(server.HasPrivateKey);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var accept = listener.AcceptTcpClientAsync(timeout.Token).AsTask();
        using var clientSocket = new TcpClient();
        await clientSocket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, timeout.Token);
        using var serverSocket = await accept;

        await using var serverTls = new SslStream(serverSocket.GetStream());
        await using var clientTls = new SslStream(clientSocket.GetStream());
        var serverSide = serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = server,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // The relay judges the client certificate itself (ClientCertificateValidator), as Intake does.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, timeout.Token);
        var clientSide = clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [office],
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        }, timeout.Token);
        await Task.WhenAll(serverSide, clientSide);

        Assert.True(clientTls.IsAuthenticated);
        Assert.Equal(server.Thumbprint, clientTls.RemoteCertificate!.GetCertHashString());
        var presented = Assert.IsType<X509Certificate2>(serverTls.RemoteCertificate, exactMatch: false);
        var check = new ClientCertificateValidator(ca).Validate(presented, DateTimeOffset.UtcNow);
        Assert.True(check.IsValid, check.ReasonEn);
        Assert.Equal("0300000100", check.OfficeNumber);

        await clientTls.WriteAsync("ping"u8.ToArray(), timeout.Token);
        var buffer = new byte[4];
        await serverTls.ReadExactlyAsync(buffer, timeout.Token);
        Assert.Equal("ping"u8.ToArray(), buffer);
    }
}
