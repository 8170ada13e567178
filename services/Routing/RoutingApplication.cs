using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults.Errors;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Routing.Consumers;
using CarePlanMesh.Routing.Directory;
using CarePlanMesh.Routing.Licences;
using CarePlanMesh.Routing.Partnerships;

namespace CarePlanMesh.Routing;

public static class RoutingApplication
{
    public static WebApplicationBuilder AddRouting(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase("routing", typeof(RoutingApplication).Assembly);
        builder.Services.Configure<LicenceOptions>(builder.Configuration.GetSection("Licences"));
        builder.Services.AddSingleton<LicenceBook>();
        builder.Services.AddSingleton<LicenceExpiryCheck>();
        builder.Services.AddHostedService<LicenceExpiryCheckService>();
        builder.Services.AddSingleton<PartnershipBook>();
        builder.Services.AddSingleton<OfficeDirectory>();
        builder.Services.AddHostedService<DirectorySeed>();
        builder.AddLicenceGauges();
        // The saga's sweeper re-sends this step when it is overdue: a transient failure after the retries is left to it.
        builder.Services.AddSingleton(new RedrivenBySweeper(Queues.RouteSubmission));
        builder.AddServiceBus(bus =>
        {
            bus.AddConsumer<CheckRouteConsumer>(typeof(CheckRouteConsumerDefinition));
            bus.AddConsumer<RouteSubmissionConsumer>(typeof(RouteSubmissionConsumerDefinition));
            bus.AddConsumer<DirectoryConsumer>(typeof(DirectoryConsumerDefinition));
            bus.AddConsumer<PartnershipsConsumer>(typeof(PartnershipsConsumerDefinition));
            bus.AddConsumer<LicencesConsumer>(typeof(LicencesConsumerDefinition));
        });
        return builder;
    }

    /// <summary>Offices reach routing through intake; operators (management port) may run the licence expiry check now.</summary>
    public static WebApplication MapRouting(this WebApplication app)
    {
        app.MapPost("/licences/check", async (LicenceExpiryCheck check, CancellationToken cancellationToken) =>
            Results.Ok(await check.Run(cancellationToken)));
        return app;
    }
}
