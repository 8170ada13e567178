using System.Text.Json;
using System.Text.Json.Serialization;
using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.ServiceDefaults.Errors;
using CarePlanMesh.Intake.Admin;
using CarePlanMesh.Intake.Audit;
using CarePlanMesh.Intake.Edge;
using CarePlanMesh.Intake.Events;
using CarePlanMesh.Intake.Idempotency;
using CarePlanMesh.Intake.Mailbox;
using CarePlanMesh.Intake.RateLimits;
using CarePlanMesh.Intake.Receipts;
using CarePlanMesh.Intake.Reconciliations;
using CarePlanMesh.Intake.Retention;
using CarePlanMesh.Intake.Routing;
using CarePlanMesh.Intake.Notifications;
using CarePlanMesh.Intake.Staff;
using CarePlanMesh.Intake.Submissions;
using CarePlanMesh.Intake.Submissions.StateMachines;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;
using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;

namespace CarePlanMesh.Intake;

public static class IntakeApplication
{
    public static WebApplicationBuilder AddIntake(this WebApplicationBuilder builder)
    {
        var intake = builder.Configuration.GetSection("Intake");
        builder.Services.Configure<IntakeOptions>(intake);
        builder.Services.Configure<SubmissionOptions>(builder.Configuration.GetSection("Submissions"));
        builder.Services.Configure<SweeperOptions>(builder.Configuration.GetSection("Sweeper"));
        var options = intake.Get<IntakeOptions>() ?? new IntakeOptions();

        builder.AddServiceDatabase("intake", typeof(IntakeApplication).Assembly);
        builder.AddServiceBus(bus =>
        {
            bus.AddSagaStateMachine<SubmissionStateMachine, SubmissionState, SubmissionStateMachineDefinition>()
                .NpgsqlRepository(SubmissionStore.Configure);
            bus.AddRequestClient<CheckRoute>(Queues.Address(Queues.CheckRoute));
            bus.AddRequestClient<PickUpDelivery>(Queues.Address(Queues.Submissions));
            bus.AddRequestClient<SignReceipt>(Queues.Address(Queues.SignReceipt));
            bus.AddRequestClient<CheckCertificate>(Queues.Address(Queues.Certificates));
            bus.AddConsumer<CertificateRevokedConsumer>(typeof(CertificateRevokedConsumerDefinition));
            bus.AddRequestClient<WithdrawSubmission>(Queues.Address(Queues.Submissions));
            bus.AddRequestClient<SearchDirectory>(Queues.Address(Queues.Directory));
            bus.AddRequestClient<ListPartnerships>(Queues.Address(Queues.Partnerships));
            bus.AddRequestClient<RequestPartnership>(Queues.Address(Queues.Partnerships));
            bus.AddRequestClient<ChangePartnership>(Queues.Address(Queues.Partnerships));
            bus.AddRequestClient<GetLicence>(Queues.Address(Queues.Licences));
            bus.AddRequestClient<ApplyFreePass>(Queues.Address(Queues.Licences));
            NotificationEndpoints.AddRequestClients(bus);
            bus.AddRequestClient<ListReconciliations>(Queues.Address(Queues.Reconciliation));
            bus.AddRequestClient<GetReconciliationReport>(Queues.Address(Queues.Reconciliation));
            bus.AddRequestClient<GetBillingStatement>(Queues.Address(Queues.BillingStatements));
            bus.AddEventConsumers();
        });

        builder.Services.AddSingleton<SubmissionStore>();
        builder.Services.AddSingleton<ReceiptStore>();
        builder.Services.AddScoped<SubmissionIntake>();
        builder.Services.AddSingleton<UploadForm>();
        builder.Services.AddSingleton<AuditTrail>();
        builder.Services.Configure<AuthOptions>(builder.Configuration.GetSection("Auth"));
        builder.Services.AddSingleton<StaffDirectory>();
        builder.Services.AddHostedService<StaffSeed>();
        // Where the standard is unclear, the operator's choices (docs/spec-decisions.md); the dry run applies the same.
        builder.Services.Configure<ValidationPolicy>(builder.Configuration.GetSection("Validation"));
        builder.Services.AddHostedService<SubmissionSweeper>();
        builder.Services.AddSingleton<PipelineAdmission>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PipelineAdmission>());
        builder.Services.AddSingleton<PickupReminderStore>();
        builder.Services.AddSingleton<PickupReminderCheck>();
        builder.AddSubmissionGauges();
        builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection("Retention"));
        builder.Services.AddSingleton<RetentionPurge>();
        builder.Services.AddHostedService<RetentionService>();
        builder.AddIdempotency();
        builder.AddApiContract();
        builder.AddEvents();
        builder.AddRateLimits();

        builder.Services.AddSingleton(_ => new ClientCertificateValidator(Pem.LoadCertificate(builder.Configuration.Required("Intake:ClientCa"))));
        builder.Services.AddAuthentication(OfficeCertificateAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, OfficeCertificateAuthentication>(OfficeCertificateAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminEndpoints.Policy, policy => policy.RequireClaim(OfficeCertificateAuthentication.RoleClaim, "admin"));
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });

        var requestLimit = options.MaxFiles * options.MaxFileBytes + 1024 * 1024;
        builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = requestLimit);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = requestLimit;
            // Certificates are checked by OfficeCertificateAuthentication against the configured CA, for a 401 that says why.
            kestrel.ListenForOffices(builder.Configuration, options.PublicUrl,
                Pem.LoadCertificateWithKey(builder.Configuration.Required("Intake:ServerCertificate"), builder.Configuration.Required("Intake:ServerKey")));
        });
        return builder;
    }

    public static WebApplication MapIntake(this WebApplication app)
    {
        var publicPort = new Uri(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IntakeOptions>>().Value.PublicUrl).Port;
        app.MapApiContract();
        app.UseMiddleware<AuditMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseMiddleware<IdempotencyMiddleware>();
        app.MapGroup("/v1")
            .RequireHost($"*:{publicPort}")
            .RequireAuthorization()
            .AddEndpointFilter<DeadlineFilter>()
            .RequireRateLimiting(OfficeRateLimits.Policy)
            .MapAuth()
            .MapSubmissions()
            .MapSubmissionList()
            .MapReceipts()
            .MapValidation()
            .MapRouting()
            .MapMailbox()
            .MapReconciliations()
            .MapBilling()
            .MapEvents()
            .MapAdmin()
            .MapNotifications();
        // Operators only: on the management address, never on the public edge.
        app.MapGroup("")
            .RequireHost(app.Configuration.ManagementHosts())
            .MapRetention()
            .MapAudit();
        return app;
    }
}
