using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>A service built the way every CarePlanMesh service builds itself, on a virtual host of its own of the test infrastructure.</summary>
static class TestService
{
    public static async Task<WebApplication> Start(DatabaseFixture database, string name, Action<WebApplicationBuilder> configure,
        Action<IBusRegistrationConfigurator> bus)
    {
        var rabbit = await database.Infrastructure.CreateVirtualHostAsync(name);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["ConnectionStrings:Postgres"] = database.ConnectionString;
        builder.Configuration["ConnectionStrings:RabbitMq"] = rabbit.ToString();
        builder.Configuration["MessageData:Keys:test"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        configure(builder);
        builder.AddServiceDefaults(name);
        builder.AddServiceDatabase("hosting_tests", typeof(TestService).Assembly);
        builder.AddServiceBus(bus);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        return app;
    }

    /// <summary>A client of the service's management address (health).</summary>
    public static HttpClient Client(this WebApplication app) =>
        new() { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
}
