namespace CarePlanMesh.Security.Tests;

/// <summary>One development PKI in a temp folder, shared by a test class: key generation is the slow part.</summary>
public sealed class DevelopmentPkiFixture : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "cpm-pki-" + Guid.NewGuid().ToString("N"));

    public DevelopmentPkiFixture() => DevelopmentPki.Create(Directory, DevelopmentPki.DefaultOffices);

    public string PathOf(params string[] parts) => Path.Combine([Directory, .. parts]);

    public System.Security.Cryptography.X509Certificates.X509Certificate2 Ca => Pem.LoadCertificate(PathOf("ca.pem"));

    public System.Security.Cryptography.X509Certificates.X509Certificate2 WithKey(params string[] folder) =>
        Pem.LoadCertificateWithKey(PathOf([.. folder, "cert.pem"]), PathOf([.. folder, "key.pem"]));

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
