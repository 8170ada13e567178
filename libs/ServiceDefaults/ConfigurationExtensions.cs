using Microsoft.Extensions.Configuration;

namespace CarePlanMesh.ServiceDefaults;

public static class ConfigurationExtensions
{
    /// <summary>A setting the service cannot start without; its absence names the environment variable that sets it.</summary>
    public static string Required(this IConfiguration configuration, string key) =>
        configuration[key] is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new InvalidOperationException($"{key} is not configured (environment variable {key.Replace(":", "__")}).");
}
