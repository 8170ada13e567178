using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Routing.Consumers;
using CarePlanMesh.Routing.Directory;
using CarePlanMesh.Routing.Licences;
using CarePlanMesh.Routing.Partnerships;

namespace CarePlanMesh.Routing;

public static class RoutingApplication
{
    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase("routing", typeof(RoutingApplication).Assembly);
        builder.Services.Configure<LicenceOptions>(builder.Configuration.GetSection("Licences"));
        builder.Services.AddSingleton<LicenceBook>();
        builder.Services.AddSingleton<PartnershipBook>();
        builder.Services.AddSingleton<OfficeDirectory>();
        builder.Services.AddHostedService<DirectorySeed>();
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
}
