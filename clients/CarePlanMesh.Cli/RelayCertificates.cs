using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CarePlanMesh.Security;

namespace CarePlanMesh.Cli;

/// <summary>
/// The relay signing certificates `cpm open` and `cpm agent` trust: every certificate in every `--relay` file, so that a file
/// holding the old and the new certificate (or the option given twice) covers a renewal's overlap (docs/operations.md).
/// </summary>
public static class RelayCertificates
{
    /// <summary>relay/cert.pem beside the CA file, where `cpm dev-pki` and the operator's download put it.</summary>
    public static string DefaultFile(string caFile) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(caFile))!, "relay", "cert.pem");

    /// <summary>Every certificate of the files, each once, in the order given; a missing file or one without a certificate is a usage error.</summary>
    public static IReadOnlyList<X509Certificate2> Load(IReadOnlyList<string> files)
    {
        var trusted = new List<X509Certificate2>();
        foreach (var file in files)
        {
            if (!File.Exists(file))
                throw CliException.Usage($"the relay's certificate is needed to check who signed: --relay PEM ({file} does not exist).",
                    $"署名者の確認に中継の証明書が必要です: --relay PEM（{file} がありません）。");
            IReadOnlyList<X509Certificate2> certificates;
            try
            {
                certificates = Pem.LoadCertificates(file);
            }
            catch (CryptographicException)
            {
                throw CliException.Usage($"--relay {file} holds no readable PEM certificate.", $"--relay {file} に読める PEM 形式の証明書がありません。");
            }
            trusted.AddRange(certificates.Where(c => !trusted.Any(t => t.RawDataMemory.Span.SequenceEqual(c.RawDataMemory.Span))));
        }
        return trusted;
    }

    /// <summary>What each trusted certificate is and when it ends, for the agent's log and page and `cpm open`'s answer.</summary>
    public static IEnumerable<(string Subject, string Serial, DateTimeOffset NotAfter)> Describe(IEnumerable<X509Certificate2> trusted) =>
        trusted.Select(c => (c.GetNameInfo(X509NameType.SimpleName, false), c.SerialNumber, new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
}
