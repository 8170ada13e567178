using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Intake;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("intake");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapApplicationEndpoints();
app.Run();

public partial class Program;
