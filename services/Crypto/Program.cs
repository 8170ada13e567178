using CarePlanMesh.Crypto;
using CarePlanMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("crypto");
builder.AddCrypto();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapCrypto();
app.Run();
