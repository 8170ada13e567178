using Microsoft.Extensions.Configuration;

namespace CarePlanMesh.ServiceDefaults;

public static class ConfigurationExtensions
{
    /// <summary>A setting the service cannot start without; its absence names the environment variable that sets it.</summary>
    public static string Required(this IConfiguration configuration, string key) =>
        configuration[key] is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new InvalidOperationException($"{key} is not configured (environment variable {key.Replace(":", "__")}).");

    /// <summary>Host patterns (<c>*:port</c>) of the management addresses (ASPNETCORE_URLS), for endpoints the public edge must not serve.</summary>
    public static string[] ManagementHosts(this IConfiguration configuration) =>
        (configuration["urls"] is { Length: > 0 } urls ? urls : "http://localhost:5000")
            .Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(u => $"*:{new Uri(u.Replace("*", "0.0.0.0").Replace("+", "0.0.0.0")).Port}")
            .ToArray();
}
