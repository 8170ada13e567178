using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CarePlanMesh.Cli.Agent.Web;

/// <summary>
/// The agent's local web page: Kestrel inside the agent process, bound to 127.0.0.1 only, serving the embedded page and
/// a small JSON API (/api/...) that calls the relay with the agent's own connection and places files in its outbox.
/// </summary>
public sealed class AgentPage(AgentSettings settings, AgentStore store, RelayConnection relay, AgentLog log)
{
    public const string AddressFile = "page-url.txt";

    public async Task Run(CancellationToken cancellationToken)
    {
        var guard = new PageGuard(settings.Port);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = settings.Data });
        // The agent writes its own log; ASP.NET Core's request logging would add nothing an office needs.
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, settings.Port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        builder.WebHost.UseSetting(WebHostDefaults.PreventHostingStartupKey, "true");
        await using var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (await guard.Admit(context))
                await next(context);
        });
        MapPage(app);
        new PageApi(settings, store, relay, guard).Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException)
        {
            // Sending and receiving go on without the page.
            log.Warn($"web page not started: 127.0.0.1:{settings.Port} is in use (choose another with --port)");
            return;
        }
        guard.WriteAddressFile(Path.Combine(settings.Data, AddressFile));
        log.Info($"web page on http://127.0.0.1:{settings.Port}/ (the address with this launch's key is in {AddressFile} in the data folder)");
        // The key goes to the terminal that started the agent, never to agent.log.
        if (!Console.IsOutputRedirected)
            Console.Out.WriteLine($"画面 / page: {guard.PageAddress}");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None);
    }

    static void MapPage(WebApplication app)
    {
        app.MapGet("/", () => Embedded("index.html", "text/html; charset=utf-8"));
        app.MapGet("/app.js", () => Embedded("app.js", "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", () => Embedded("app.css", "text/css; charset=utf-8"));
    }

    static IResult Embedded(string name, string contentType)
    {
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"web/{name}")
            ?? throw new InvalidOperationException($"The page's {name} is not embedded in cpm.");
        return Results.Stream(stream, contentType);
    }
}
