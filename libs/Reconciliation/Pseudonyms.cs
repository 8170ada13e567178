using System.Security.Cryptography;
using System.Text;

namespace CarePlanMesh.Reconciliation;

/// <summary>
/// The user key: HMAC-SHA256 of 保険者番号 and 被保険者番号 under a relay secret. Only the validation service holds the
/// secret, so billing-reconciliation can join a user's plan and actual rows without being able to tell who it is or to
/// test a guessed insured number.
/// </summary>
public sealed class Pseudonyms
{
    readonly byte[] _key;

    public Pseudonyms(byte[] key)
    {
        if (key.Length < 32)
            throw new ArgumentException("The pseudonym key must have at least 32 bytes.", nameof(key));
        _key = key;
    }

    /// <summary>128 bits of the HMAC as hex: collisions are out of reach for any office's users.</summary>
    public string Of(string insurerNumber, string insuredNumber) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{insurerNumber}:{insuredNumber}")).AsSpan(0, 16));
}
