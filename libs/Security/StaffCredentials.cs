using System.Security.Cryptography;
using System.Text;

namespace CarePlanMesh.Security;

/// <summary>
/// Staff user IDs as the national system issues them: 14 characters, two capital letters and 12 digits. IDs beginning
/// "HD" are proxy-claim (代理請求) IDs and cannot sign in; which prefixes are accepted is the operator's choice.
/// </summary>
public static class StaffUserId
{
    public static IReadOnlyList<string> DefaultPrefixes { get; } = ["KJ", "ID"];

    /// <summary>Null when the ID is acceptable, else why not, in Japanese and English.</summary>
    public static (string Ja, string En)? Problem(string? userId, IReadOnlyCollection<string> acceptedPrefixes)
    {
        if (userId is not { Length: 14 } || !char.IsAsciiLetterUpper(userId[0]) || !char.IsAsciiLetterUpper(userId[1]) || !userId.AsSpan(2).ContainsOnlyDigits())
            return ("利用者IDは英大文字2文字と数字12桁の14文字です。", "A user ID is 14 characters: two capital letters and 12 digits.");
        if (userId.StartsWith("HD", StringComparison.Ordinal))
            return ("HDで始まるIDは代理請求用のため、ここでは使えません。KJ（またはID）で始まる利用者IDでサインインしてください。",
                "IDs beginning with HD are proxy-claim IDs and cannot be used here; sign in with your user ID beginning with KJ (or ID).");
        if (!acceptedPrefixes.Contains(userId[..2]))
            return ($"利用者IDは{string.Join("・", acceptedPrefixes)}で始まります。", $"User IDs begin with {string.Join(" or ", acceptedPrefixes)}.");
        return null;
    }

    static bool ContainsOnlyDigits(this ReadOnlySpan<char> span) => !span.IsEmpty && !span.ContainsAnyExceptInRange('0', '9');
}

/// <summary>
/// Password hashes as PBKDF2-HMAC-SHA256 with a random salt, stored as <c>pbkdf2-sha256$iterations$salt$hash</c>, so that
/// the work factor can grow while old hashes still verify.
/// </summary>
public static class PasswordHash
{
    public const int DefaultIterations = 600_000;

    public static string Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts is not ["pbkdf2-sha256", var iterationText, var saltText, var hashText] || !int.TryParse(iterationText, out var iterations) || iterations < 1)
            return false;
        var expected = Convert.FromBase64String(hashText);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(saltText), iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
