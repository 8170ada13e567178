using System.Net.Http.Headers;
using System.Text;

namespace CarePlanMesh.Testing;

/// <summary>Virtual hosts on a RabbitMQ given by the environment, through its management HTTP API.</summary>
static class ManagementApi
{
    public static Func<string, Task> AddVirtualHostFromEnvironment(Uri amqp)
    {
        var management = Environment.GetEnvironmentVariable("CAREPLANMESH_TEST_RABBITMQ_MANAGEMENT");
        if (string.IsNullOrWhiteSpace(management))
            throw new InvalidOperationException(
                "CAREPLANMESH_TEST_RABBITMQ is set, so CAREPLANMESH_TEST_RABBITMQ_MANAGEMENT must be too (e.g. http://127.0.0.1:15672/): " +
                "every test collection gets its own virtual host, created through the management API.");
        var user = Uri.UnescapeDataString(amqp.UserInfo.Split(':')[0]);
        var password = Uri.UnescapeDataString(amqp.UserInfo.Split(':').ElementAtOrDefault(1) ?? "");
        return async vhost =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(management) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            var name = Uri.EscapeDataString(vhost);
            (await http.PutAsync($"api/vhosts/{name}", new StringContent("{}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            (await http.PutAsync($"api/permissions/{name}/{Uri.EscapeDataString(user)}",
                new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        };
    }
}
