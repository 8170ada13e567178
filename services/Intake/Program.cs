using CarePlanMesh.Intake;
using CarePlanMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("intake");
builder.AddIntake();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIntake();
app.Run();

public partial class Program;
