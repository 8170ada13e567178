using CarePlanMesh.Hosting;
using CarePlanMesh.Routing.Consumers;
using CarePlanMesh.Routing.Directory;

namespace CarePlanMesh.Routing;

public static class RoutingApplication
{
    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase("routing", typeof(RoutingApplication).Assembly);
        builder.Services.AddSingleton<OfficeDirectory>();
        builder.Services.AddHostedService<DirectorySeed>();
        builder.AddServiceBus(bus =>
        {
            bus.AddConsumer<CheckRouteConsumer>(typeof(CheckRouteConsumerDefinition));
            bus.AddConsumer<RouteSubmissionConsumer>(typeof(RouteSubmissionConsumerDefinition));
        });
        return builder;
    }
}
