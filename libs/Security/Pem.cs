using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security;

public static class Pem
{
    public static X509Certificate2 LoadCertificate(string certPemPath) => X509Certificate2.CreateFromPem(File.ReadAllText(certPemPath));

    /// <summary>
    /// A certificate with its private key, usable for TLS and CMS. The PKCS#12 round trip turns the ephemeral
    /// key from the PEM into one that SslStream accepts on every platform.
    /// </summary>
    public static X509Certificate2 LoadCertificateWithKey(string certPemPath, string keyPemPath)
    {
        using var ephemeral = X509Certificate2.CreateFromPemFile(certPemPath, keyPemPath);
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }
}
