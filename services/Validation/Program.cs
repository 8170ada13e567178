using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Standard;
using CarePlanMesh.Validation.Consumers;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("validation");
builder.AddServiceDatabase("validation", typeof(Program).Assembly);
// Where the standard is unclear, the operator's choices (docs/spec-decisions.md).
builder.Services.Configure<ValidationPolicy>(builder.Configuration.GetSection("Validation"));
builder.AddServiceBus(bus => bus.AddConsumer<ValidateSubmissionConsumer>(typeof(ValidateSubmissionConsumerDefinition)));

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
