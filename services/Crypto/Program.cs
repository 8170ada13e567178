using CarePlanMesh.Crypto;
using CarePlanMesh.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("crypto");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
