using CarePlanMesh.Notification;
using CarePlanMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("notification");
builder.AddNotification();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapNotification();
app.Run();
