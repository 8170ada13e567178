using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Validation;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("validation");
builder.AddValidation();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapValidation();
app.Run();
