using CarePlanMesh.BillingReconciliation;
using CarePlanMesh.BillingReconciliation.Consumers;
using CarePlanMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("billing-reconciliation");
builder.AddServiceDatabase("billing_reconciliation", typeof(Program).Assembly);
builder.AddServiceBus(bus =>
{
    bus.AddConsumer<RecordUsageConsumer>(typeof(RecordUsageConsumerDefinition));
    bus.AddConsumer<LicenceGrantedConsumer>(typeof(LicenceGrantedConsumerDefinition));
});

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapUsage();
app.MapLicences();
app.Run();
