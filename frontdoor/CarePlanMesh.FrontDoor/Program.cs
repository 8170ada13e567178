using CarePlanMesh.FrontDoor;
using CarePlanMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("front-door");
builder.AddFrontDoor();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapFrontDoor();
app.Run();
