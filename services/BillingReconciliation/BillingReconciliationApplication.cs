using CarePlanMesh.BillingReconciliation.Consumers;
using CarePlanMesh.BillingReconciliation.Reconciliations;
using CarePlanMesh.ServiceDefaults;

namespace CarePlanMesh.BillingReconciliation;

public static class BillingReconciliationApplication
{
    public static WebApplicationBuilder AddBillingReconciliation(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase("billing_reconciliation", typeof(BillingReconciliationApplication).Assembly);
        builder.Services.AddSingleton<ReconciliationBook>();
        builder.AddServiceBus(bus =>
        {
            bus.AddConsumer<ReconciliationConsumer>(typeof(ReconciliationConsumerDefinition));
            bus.AddConsumer<BillingStatementConsumer>(typeof(BillingStatementConsumerDefinition));
            bus.AddConsumer<RecordUsageConsumer>(typeof(RecordUsageConsumerDefinition));
            bus.AddConsumer<LicenceGrantedConsumer>(typeof(LicenceGrantedConsumerDefinition));
        });
        // After the bus: hosted services start in order, and the bus's waits until it runs.
        builder.Services.AddHostedService<LicenceResync>();
        return builder;
    }

    /// <summary>Operators' queries, on the management port.</summary>
    public static WebApplication MapBillingReconciliation(this WebApplication app)
    {
        app.MapUsage();
        app.MapLicences();
        return app;
    }
}
