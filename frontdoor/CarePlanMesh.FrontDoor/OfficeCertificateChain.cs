using System.Security.Cryptography.X509Certificates;
using CarePlanMesh.Security;

namespace CarePlanMesh.FrontDoor;

/// <summary>
/// The one check the front door makes on the caller's certificate: it chains to the CA that issues office certificates and
/// is a client certificate within its validity. Which office it names, and whether that office may call, intake decides.
/// </summary>
public sealed class OfficeCertificateChain(X509Certificate2 clientCa)
{
    public bool IsTrusted(X509Certificate2 certificate) =>
        Chains.To(clientCa, certificate, DateTimeOffset.UtcNow, extraStore: null, Chains.ClientAuthentication, out _);
}
