using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace CarePlanMesh.Testing;

/// <summary>PostgreSQL and RabbitMQ in Docker, for machines that have Docker but not the Debian packages.</summary>
static class Containers
{
    public static async Task<bool> DockerAnswers()
    {
        if (!File.Exists("/usr/bin/docker") && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")))
            return false;
        try
        {
            var (exit, _) = await Infrastructure.Run("docker", ["info"], timeout: TimeSpan.FromSeconds(15));
            return exit == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static async Task<Infrastructure> StartAsync()
    {
        var postgres = new PostgreSqlBuilder("postgres:15").Build();
        var rabbit = new RabbitMqBuilder("rabbitmq:3.13").Build();
        await Task.WhenAll(postgres.StartAsync(), rabbit.StartAsync());
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            Task.WhenAll(postgres.DisposeAsync().AsTask(), rabbit.DisposeAsync().AsTask()).GetAwaiter().GetResult();
        var uri = new Uri(rabbit.GetConnectionString());
        var user = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
        return Infrastructure.Create("testcontainers", postgres.GetConnectionString(), uri, new RabbitMqCtl(user, async arguments =>
        {
            var result = await rabbit.ExecAsync(["rabbitmqctl", .. arguments]);
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed: {result.Stderr}");
            return result.Stdout;
        }));
    }
}
