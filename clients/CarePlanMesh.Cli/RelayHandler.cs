using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Cli;

/// <summary>How cpm talks to the relay: presenting the office's certificate and trusting only the relay's CA, never the machine store.</summary>
static class RelayHandler
{
    public static HttpClientHandler Create(X509Certificate2 certificate, X509Certificate2 ca)
    {
        var handler = new HttpClientHandler
        {
            ClientCertificateOptions = ClientCertificateOption.Manual,
            ServerCertificateCustomValidationCallback = (_, server, _, _) =>
            {
                if (server is null) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(server);
            },
        };
        handler.ClientCertificates.Add(certificate);
        return handler;
    }
}
