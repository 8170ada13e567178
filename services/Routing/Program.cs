using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Routing;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("routing");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
