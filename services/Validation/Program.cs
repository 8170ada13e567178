using CarePlanMesh.Hosting;
using CarePlanMesh.Validation.Consumers;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("validation");
builder.AddServiceDatabase("validation", typeof(Program).Assembly);
builder.AddServiceBus(bus => bus.AddConsumer<ValidateSubmissionConsumer>(typeof(ValidateSubmissionConsumerDefinition)));

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
