using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CarePlanMesh.Security;

/// <summary>
/// A demo office: licensed for a year from the day the mesh first starts (unless not), partnered with <see cref="Partners"/>,
/// told by e-mail at <see cref="Email"/> (by default office-&lt;number&gt;@demo.careplanmesh.example).
/// </summary>
public sealed record DemoOffice(string OfficeNumber, IReadOnlyList<string> ServiceTypes, string Name, IReadOnlyList<string>? Partners = null, bool Licensed = true,
    bool Operator = false, string? Email = null);

/// <summary>
/// A development CA and everything a local mesh needs, written as PEM files. Never for production: the CA key sits
/// beside the certificates. Layout: ca.pem, ca-key.pem, server/{cert,key}.pem (TLS), relay/{cert,key}.pem (signing),
/// offices/&lt;office&gt;/{cert,key}.pem and user.json (the demo staff user ID and password), offices.json.
/// </summary>
public static class DevelopmentPki
{
    /// <summary>
    /// The standard's own example numbers 0300000100 (care office) and 0300000005 (provider), partners of each other, and a
    /// made-up 福祉用具 provider 0300000007 that is licensed but nobody's partner.
    /// </summary>
    public static IReadOnlyList<DemoOffice> DefaultOffices { get; } =
    [
        new("0300000100", ["43"], "デモ居宅介護支援事業所", ["0300000005"]),
        new("0300000005", ["11"], "デモ訪問介護事業所"),
        new("0300000007", ["17"], "デモ福祉用具事業所"),
        // The relay operator's own desk: its staff member is an admin of the registry API; not a care office, no licence.
        new("0100000001", ["00"], "CarePlanMesh運営者（開発用）", Licensed: false, Operator: true),
    ];

    /// <summary>
    /// Extra partnered pairs for load runs (benchmarks/CarePlanMesh.LoadHarness sends as every licensed care office with a
    /// licensed 訪問介護 partner): care office 0391nnnnnn (43) and 訪問介護 0392nnnnnn (11), n from 1, both licensed.
    /// </summary>
    public static IReadOnlyList<DemoOffice> LoadTestPairs(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxLoadTestPairs);
        return [.. Enumerable.Range(1, count).SelectMany(n => new DemoOffice[]
        {
            new($"0391{n:D6}", ["43"], $"負荷試験居宅介護支援事業所{n}", [$"0392{n:D6}"]),
            new($"0392{n:D6}", ["11"], $"負荷試験訪問介護事業所{n}"),
        })];
    }

    public const int MaxLoadTestPairs = 500;

    const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    const string EmailProtection = "1.3.6.1.5.5.7.3.4";

    /// <param name="passwordIterations">PBKDF2 work factor of the demo staff passwords' hashes (lower only to speed tests up).</param>
    public static void Create(string directory, IEnumerable<DemoOffice> offices, int passwordIterations = PasswordHash.DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(offices);
        var officeList = offices.ToList();
        foreach (var office in officeList)
        {
            if (!OfficeNumber.IsValid(office.OfficeNumber))
                throw new ArgumentException($"'{office.OfficeNumber}' is not a 10-digit office number.", nameof(offices));
            if (string.IsNullOrWhiteSpace(office.Name))
                throw new ArgumentException($"Office {office.OfficeNumber} needs a name.", nameof(offices));
        }
        if (officeList.Select(o => o.OfficeNumber).Distinct().Count() != officeList.Count)
            throw new ArgumentException("Each office number may appear only once.", nameof(offices));

        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = RSA.Create(3072);
        var caRequest = new CertificateRequest(Name("CarePlanMesh development CA", null), caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now.AddYears(10));
        Write(directory, "ca.pem", ca.ExportCertificatePem());
        WriteKey(directory, "ca-key.pem", caKey);

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        Issue(directory, "server", ca, Name("127.0.0.1", "CarePlanMesh relay"), [ServerAuthentication],
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, now, san.Build());
        Issue(directory, "relay", ca, Name("CarePlanMesh relay", "CarePlanMesh relay"), [EmailProtection],
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, now);

        var entries = new List<OfficeDirectoryEntry>();
        foreach (var office in officeList)
        {
            // '/' rather than Path.Combine: offices.json is read on other platforms too, and Path.Combine accepts '/' everywhere.
            var folder = $"offices/{office.OfficeNumber}";
            Issue(directory, folder, ca, Name(office.OfficeNumber, office.Name), [ClientAuthentication, EmailProtection],
                X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, now);
            // One staff member per office: KJ + the office number + 01 (14 characters), with a random password in user.json.
            var userId = $"KJ{office.OfficeNumber}01";
            var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
            Write(directory, $"{folder}/user.json", JsonSerializer.Serialize(new { userId, password }, OfficeDirectoryFile.JsonOptions), secret: true);
            entries.Add(new OfficeDirectoryEntry(office.OfficeNumber, office.ServiceTypes, office.Name, $"{folder}/cert.pem")
            {
                Licensed = office.Licensed,
                Partners = office.Partners ?? [],
                Email = office.Email ?? $"office-{office.OfficeNumber}@demo.careplanmesh.example",
                Staff = [new StaffEntry(userId, PasswordHash.Create(password, passwordIterations)) { Roles = office.Operator ? ["admin"] : [] }],
            });
        }
        Write(directory, "offices.json", JsonSerializer.Serialize(entries, OfficeDirectoryFile.JsonOptions));
    }

    static void Issue(string directory, string folder, X509Certificate2 ca, X500DistinguishedName subject, string[] usages,
        X509KeyUsageFlags keyUsage, DateTimeOffset now, X509Extension? subjectAlternativeName = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages.Select(u => new Oid(u))], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (subjectAlternativeName is not null)
            request.CertificateExtensions.Add(subjectAlternativeName);
        using var certificate = request.Create(ca, now, now.AddYears(2), RandomNumberGenerator.GetBytes(16));
        Write(directory, Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
        WriteKey(directory, Path.Combine(folder, "key.pem"), key);
    }

    static X500DistinguishedName Name(string commonName, string? organization)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("JP");
        if (organization is not null)
            name.AddOrganizationName(organization);
        name.AddCommonName(commonName);
        return name.Build();
    }

    static void Write(string directory, string relativePath, string content, bool secret = false)
    {
        var path = Path.Combine(directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(path, new System.Text.UTF8Encoding(false), options))
            writer.Write(content + (content.EndsWith('\n') ? "" : "\n"));
        // UnixCreateMode only applies to a new file; an overwritten key file keeps whatever mode it had.
        if (secret && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    static void WriteKey(string directory, string relativePath, RSA key) =>
        Write(directory, relativePath, key.ExportPkcs8PrivateKeyPem(), secret: true);
}

/// <summary>
/// One row of offices.json: an office to register, with its certificate's path relative to the file; whether routing
/// grants it an annual licence when it has none, and the offices it is partnered with (both for demos and tests).
/// </summary>
public sealed record OfficeDirectoryEntry(string OfficeNumber, IReadOnlyList<string> ServiceTypes, string Name, string Certificate)
{
    public bool Licensed { get; init; }
    public IReadOnlyList<string> Partners { get; init; } = [];
    /// <summary>The office's e-mail address for notifications (notification keeps it; an office may change it).</summary>
    public string? Email { get; init; }
    /// <summary>Staff who sign in for the office; only the PBKDF2 hash of each password is here.</summary>
    public IReadOnlyList<StaffEntry> Staff { get; init; } = [];
}

public sealed record StaffEntry(string UserId, string PasswordHash)
{
    /// <summary>"admin" for the operator's staff, who may use the registry API.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];
}

public static class OfficeDirectoryFile
{
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The rows of an offices.json, with certificate paths made absolute.</summary>
    public static IReadOnlyList<OfficeDirectoryEntry> Read(string path)
    {
        var entries = JsonSerializer.Deserialize<List<OfficeDirectoryEntry>>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidDataException($"{path} holds no office list.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var entry in entries.Where(e => !OfficeNumber.IsValid(e.OfficeNumber)))
            throw new InvalidDataException($"{path}: '{entry.OfficeNumber}' is not a 10-digit office number.");
        return entries.Select(e => e with { Certificate = Path.GetFullPath(Path.Combine(folder, e.Certificate)) }).ToList();
    }
}
