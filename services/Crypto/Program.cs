using CarePlanMesh.Crypto;
using CarePlanMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("crypto");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
// Operators (management port): run the certificate expiry check now.
app.MapPost("/certificates/check", async (CarePlanMesh.Crypto.Certificates.ExpiryCheck check, CancellationToken cancellationToken) =>
    Results.Ok(new { warnings = await check.Run(cancellationToken) }));
app.Run();
