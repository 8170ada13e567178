using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security;

public static class Pem
{
    public static X509Certificate2 LoadCertificate(string certPemPath) => X509Certificate2.CreateFromPem(File.ReadAllText(certPemPath));

    /// <summary>Every certificate in a PEM file, in file order: one, or a bundle (e.g. the relay's old and new signing certificates).</summary>
    public static IReadOnlyList<X509Certificate2> LoadCertificates(string certPemPath)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(File.ReadAllText(certPemPath));
        if (bundle.Count == 0)
            throw new System.Security.Cryptography.CryptographicException($"{certPemPath} holds no PEM certificate.");
        return [.. bundle];
    }

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
