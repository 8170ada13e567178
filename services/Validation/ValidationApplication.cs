using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults.Errors;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Standard;
using CarePlanMesh.Reconciliation;
using CarePlanMesh.Validation.Consumers;
using CarePlanMesh.Validation.Reconciliation;
using MassTransit;

namespace CarePlanMesh.Validation;

public static class ValidationApplication
{
    public static WebApplicationBuilder AddValidation(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase("validation", typeof(ValidationApplication).Assembly);
        // Where the standard is unclear, the operator's choices (docs/spec-decisions.md).
        builder.Services.Configure<ValidationPolicy>(builder.Configuration.GetSection("Validation"));
        // The saga's sweeper re-sends this step when it is overdue: a transient failure after the retries is left to it.
        builder.Services.AddSingleton(new RedrivenBySweeper(Queues.ValidateSubmission));
        // The pseudonym key never leaves this service (docs/reconciliation.md).
        builder.Services.AddSingleton(_ => new Pseudonyms(Convert.FromBase64String(builder.Configuration.Required("Reconciliation:PseudonymKey"))));
        builder.Services.AddScoped<ReconciliationFacts>();
        builder.AddServiceBus(bus =>
        {
            bus.AddConsumer<ValidateSubmissionConsumer>(typeof(ValidateSubmissionConsumerDefinition));
            bus.AddRequestClient<ReconcileActuals>(Queues.Address(Queues.Reconciliation), RequestTimeout.After(s: 30));
        });
        return builder;
    }

    /// <summary>Validation serves no HTTP endpoint of its own beyond health: the dry run is intake's.</summary>
    public static WebApplication MapValidation(this WebApplication app) => app;
}
