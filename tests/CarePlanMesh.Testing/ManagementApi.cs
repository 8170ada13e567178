using System.Net.Http.Headers;
using System.Text;

namespace CarePlanMesh.Testing;

/// <summary>The administration of a RabbitMQ given by the environment, through its management HTTP API.</summary>
sealed class ManagementApi(Uri management, string user, string password) : IBrokerAdmin
{
    public static ManagementApi FromEnvironment(Uri amqp)
    {
        var management = Environment.GetEnvironmentVariable("CAREPLANMESH_TEST_RABBITMQ_MANAGEMENT");
        if (string.IsNullOrWhiteSpace(management))
            throw new InvalidOperationException(
                "CAREPLANMESH_TEST_RABBITMQ is set, so CAREPLANMESH_TEST_RABBITMQ_MANAGEMENT must be too (e.g. http://127.0.0.1:15672/): " +
                "every test collection gets its own virtual host, created through the management API.");
        return new ManagementApi(new Uri(management), Uri.UnescapeDataString(amqp.UserInfo.Split(':')[0]),
            Uri.UnescapeDataString(amqp.UserInfo.Split(':').ElementAtOrDefault(1) ?? ""));
    }

    public async Task AddVirtualHost(string vhost)
    {
        var name = Uri.EscapeDataString(vhost);
        await Put($"api/vhosts/{name}", "{}");
        await Put($"api/permissions/{name}/{Uri.EscapeDataString(user)}", """{"configure":".*","write":".*","read":".*"}""");
    }

    public Task SetPolicy(string vhost, string name, string pattern, string definitionJson) =>
        Put($"api/policies/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(name)}",
            $$"""{"pattern":{{System.Text.Json.JsonSerializer.Serialize(pattern)}},"definition":{{definitionJson}},"apply-to":"queues","priority":100}""");

    public async Task ClearPolicy(string vhost, string name)
    {
        using var http = Client();
        (await http.DeleteAsync($"api/policies/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(name)}")).EnsureSuccessStatusCode();
    }

    public async Task<IReadOnlyList<BrokerQueue>> Queues(string vhost)
    {
        using var http = Client();
        using var queues = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"api/queues/{Uri.EscapeDataString(vhost)}?columns=name,auto_delete,consumers"));
        return [.. queues.RootElement.EnumerateArray().Select(q => new BrokerQueue(q.GetProperty("name").GetString()!, q.GetProperty("auto_delete").GetBoolean(),
            q.TryGetProperty("consumers", out var consumers) ? consumers.GetInt32() : 0))];
    }

    async Task Put(string path, string json)
    {
        using var http = Client();
        (await http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
    }

    HttpClient Client()
    {
        var http = new HttpClient { BaseAddress = management };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return http;
    }
}
