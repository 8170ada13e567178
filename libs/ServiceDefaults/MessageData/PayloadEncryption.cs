using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace CarePlanMesh.ServiceDefaults.MessageData;

/// <summary>
/// Configuration section "MessageData": the AES-256 keys that encrypt claim-check payloads at rest, by key id, and the
/// id new writes use. Rotation: add a key, make it active; payloads written under older keys still decrypt.
/// </summary>
public sealed class PayloadEncryptionOptions
{
    /// <summary>Key id → base64 of 32 random bytes (e.g. <c>openssl rand -base64 32</c>).</summary>
    public Dictionary<string, string> Keys { get; set; } = [];
    /// <summary>The key id for new payloads; may be left out when there is only one key.</summary>
    public string? ActiveKey { get; set; }
}

/// <summary>AES-256-GCM with the payload id and key id as associated data: a payload cannot be moved to another row unnoticed.</summary>
public sealed partial class PayloadEncryption
{
    const int NonceSize = 12;
    const int TagSize = 16;
    readonly Dictionary<string, byte[]> _keys;

    public PayloadEncryption(PayloadEncryptionOptions options)
    {
        if (options.Keys.Count == 0)
            throw new InvalidOperationException(
                "MessageData:Keys is empty: claim-check payloads are encrypted at rest. Set MessageData__Keys__<id> to the base64 of 32 random bytes (openssl rand -base64 32).");
        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, value) in options.Keys)
        {
            if (!KeyId().IsMatch(id))
                throw new InvalidOperationException($"MessageData:Keys: '{id}' is not a key id (letters, digits and '-', at most 32).");
            var key = Convert.TryFromBase64String(value, new byte[32], out var length) && length == 32 ? Convert.FromBase64String(value) : null;
            _keys[id] = key ?? throw new InvalidOperationException($"MessageData:Keys:{id} is not the base64 of 32 bytes.");
        }
        ActiveKey = options.ActiveKey ?? (_keys.Count == 1 ? _keys.Keys.Single()
            : throw new InvalidOperationException("MessageData:ActiveKey must name the key for new payloads when several keys are configured."));
        if (!_keys.ContainsKey(ActiveKey))
            throw new InvalidOperationException($"MessageData:ActiveKey '{ActiveKey}' is not among MessageData:Keys.");
    }

    public string ActiveKey { get; }

    public byte[] Encrypt(Guid id, byte[] plaintext)
    {
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[ActiveKey], TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length), Associated(id, ActiveKey));
        return sealedBytes;
    }

    public byte[] Decrypt(Guid id, string keyId, byte[] sealedBytes)
    {
        if (!_keys.TryGetValue(keyId, out var key))
            throw new CryptographicException($"Payload {id} was encrypted with key '{keyId}', which is not configured (MessageData:Keys).");
        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length), plaintext,
            Associated(id, keyId));
        return plaintext;
    }

    static byte[] Associated(Guid id, string keyId) => [.. id.ToByteArray(), .. Encoding.ASCII.GetBytes(keyId)];

    [GeneratedRegex("^[A-Za-z0-9-]{1,32}$")]
    public static partial Regex KeyId();
}
