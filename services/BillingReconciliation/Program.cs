using CarePlanMesh.BillingReconciliation;
using CarePlanMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("billing-reconciliation");
builder.AddBillingReconciliation();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapBillingReconciliation();
app.Run();
