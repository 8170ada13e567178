using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.FrontDoor;

/// <summary>
/// The one check the front door makes on the caller's certificate: it chains to the CA that issues office certificates and
/// is a client certificate within its validity. Which office it names, and whether that office may call, intake decides.
/// </summary>
public sealed class OfficeCertificateChain(X509Certificate2 clientCa)
{
    const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public bool IsTrusted(X509Certificate2 certificate)
    {
        using var chain = new X509Chain
        {
            ChainPolicy =
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { clientCa },
                RevocationMode = X509RevocationMode.NoCheck,
                ApplicationPolicy = { new Oid(ClientAuthentication) },
            },
        };
        return chain.Build(certificate);
    }
}
