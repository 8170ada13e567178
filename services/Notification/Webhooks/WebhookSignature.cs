using System.Security.Cryptography;
using System.Text;

namespace CarePlanMesh.Notification.Webhooks;

/// <summary>
/// Standard Webhooks signing (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
/// base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" under the secret's key (the base64 after "whsec_"),
/// sent as "v1,{signature}"; several signatures (during a secret rotation) are separated by spaces.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string messageId, long timestamp, string body, IEnumerable<string> secrets) =>
        string.Join(' ', secrets.Select(secret =>
        {
            var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
            var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}"));
            return $"v1,{Convert.ToBase64String(mac)}";
        }));
}
