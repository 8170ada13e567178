using CarePlanMesh.Routing;
using CarePlanMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("routing");
builder.AddRouting();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRouting();
app.Run();
