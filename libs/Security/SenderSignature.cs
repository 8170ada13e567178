using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Security;

/// <summary>
/// A file the sender signed itself, as the national client does: DER CMS SignedData with the file attached, uploaded as
/// "&lt;standard name&gt;.p7m". The relay reads the file out of it, checks the signature against the sender's registered
/// certificates before sealing, and delivers the signed file beside the plain one.
/// </summary>
public static class SenderSignature
{
    public const string Suffix = ".p7m";

    public static bool IsSigned(string fileName) => fileName.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The name of the signed file inside, e.g. UPPLAN_…CSV for UPPLAN_…CSV.p7m.</summary>
    public static string InnerName(string fileName) => fileName[..^Suffix.Length];

    /// <summary>The attached content, or null when the bytes are not CMS SignedData with attached content.</summary>
    public static byte[]? Content(byte[] signedFile)
    {
        try
        {
            var signed = new SignedCms();
            signed.Decode(signedFile);
            return signed.Detached ? null : signed.ContentInfo.Content;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Null when the file is signed, unaltered, by one of the sender's registered certificates; else why not.</summary>
    public static (string Ja, string En)? Problem(byte[] signedFile, IReadOnlyCollection<X509Certificate2> registered)
    {
        var signed = new SignedCms();
        try
        {
            signed.Decode(signedFile);
            signed.CheckSignature(verifySignatureOnly: true);
        }
        catch (CryptographicException)
        {
            return ("送信元の署名が検証できません。署名後にファイルが変更されたか、署名が壊れています。",
                "The sender's signature does not verify: the file was changed after signing, or the signature is damaged.");
        }
        var signers = signed.SignerInfos.Cast<SignerInfo>().Select(s => s.Certificate).ToList();
        if (signers.Count == 0 || signers.Any(s => s is null || !registered.Any(r => r.RawDataMemory.Span.SequenceEqual(s.RawDataMemory.Span))))
            return ("署名した証明書は、送信元事業所の登録済みの有効な証明書ではありません。",
                "The signing certificate is not a registered, valid certificate of the sending office.");
        return null;
    }
}
