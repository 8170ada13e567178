using System.Net;
using CarePlanMesh.Security;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace CarePlanMesh.FrontDoor;

public static class FrontDoorApplication
{
    public static WebApplicationBuilder AddFrontDoor(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<FrontDoorOptions>(builder.Configuration.GetSection("FrontDoor"));
        // A failed probe would log its stack every interval; the change of a replica's state is logged once, and /health/ready lists it.
        builder.Logging.AddFilter("Yarp.ReverseProxy.Health.ActiveHealthCheckMonitor", LogLevel.Error);
        // Two lines per forwarded request cost the front door more than the forwarding's own work under load; traces carry the
        // requests, and a failed forward is logged once by the edge (EdgeMiddleware).
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder", LogLevel.Warning);
        var options = builder.Configuration.GetSection("FrontDoor").Get<FrontDoorOptions>() ?? new FrontDoorOptions();
        if (options.Intake.Count == 0)
            throw new InvalidOperationException("No intake replica is configured (FrontDoor__Intake__<name>__Address and FrontDoor__Intake__<name>__Health).");

        var clientCa = Pem.LoadCertificate(builder.Configuration.Required("FrontDoor:ClientCa"));
        builder.Services.AddSingleton(new OfficeCertificateChain(clientCa));
        builder.Services.AddSingleton<IForwarderHttpClientFactory>(new IntakeHttpClientFactory(
            options.IntakeCa is { Length: > 0 } intakeCa ? Pem.LoadCertificate(intakeCa) : clientCa,
            options.SourceAddress is { Length: > 0 } source ? IPAddress.Parse(source) : null,
            options.ConnectTimeout));
        var proxy = builder.Services.AddReverseProxy()
            .LoadFromMemory(IntakeProxy.Routes(), [IntakeProxy.Cluster(options)])
            .AddTransforms(IntakeProxy.Transforms);
        // A replica given by host name (a headless Service) becomes one destination per address, named "<name>[<address>]".
        if (options.Intake.Values.Any(replica => !IPAddress.TryParse(new Uri(replica.Address).Host, out _)))
            proxy.AddDnsDestinationResolver(dns => dns.RefreshPeriod = options.DnsRefreshPeriod);
        builder.Services.AddRequestTimeouts(timeouts =>
        {
            timeouts.AddPolicy(IntakeProxy.RequestTimeout, Deadline(options.RequestTimeout));
            timeouts.AddPolicy(IntakeProxy.UploadTimeout, Deadline(options.UploadTimeout));
        });
        builder.Services.AddHealthChecks().AddCheck<IntakeReplicasHealthCheck>("intake", tags: ["ready"]);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            // Certificates are checked per request (OfficeCertificateChain), then by intake.
            kestrel.ListenForOffices(builder.Configuration, options.PublicUrl,
                Pem.LoadCertificateWithKey(builder.Configuration.Required("FrontDoor:ServerCertificate"), builder.Configuration.Required("FrontDoor:ServerKey")));
        });
        return builder;
    }

    public static WebApplication MapFrontDoor(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<FrontDoorOptions>>().Value;
        var chain = app.Services.GetRequiredService<OfficeCertificateChain>();
        var publicPort = new Uri(options.PublicUrl).Port;
        app.MapReverseProxy(proxy =>
        {
            proxy.Use((context, next) => EdgeMiddleware.PublicPortOnly(context, next, publicPort));
            proxy.Use(EdgeMiddleware.RequestId);
            proxy.Use((context, next) => EdgeMiddleware.SizeLimit(context, next, options.MaxRequestBodyBytes));
            proxy.Use((context, next) => EdgeMiddleware.ClientCertificate(context, next, chain));
            proxy.Use(EdgeMiddleware.ForwardingErrorsAsProblems);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    static Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy Deadline(TimeSpan timeout) => new()
    {
        Timeout = timeout,
        TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        WriteTimeoutResponse = context => ProblemExceptionHandler.Write(context, ErrorPolicy.DeadlinePassed),
    };
}
