using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults.Errors;
using CarePlanMesh.Crypto.Certificates;
using CarePlanMesh.Crypto.Consumers;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.Security;

namespace CarePlanMesh.Crypto;

public static class CryptoApplication
{
    public static WebApplicationBuilder AddCrypto(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase("crypto", typeof(CryptoApplication).Assembly);
        builder.Services.AddSingleton<CertificateStore>();
        builder.Services.AddHostedService<CertificateSeed>();
        builder.Services.Configure<ExpiryOptions>(builder.Configuration.GetSection("Certificates"));
        builder.Services.AddScoped<ExpiryCheck>();
        builder.Services.AddHostedService<ExpiryCheckService>();
        builder.AddCertificateGauges();
        builder.Services.AddSingleton(_ => new PackageSealer(Pem.LoadCertificateWithKey(
            builder.Configuration.Required("Crypto:RelayCertificate"), builder.Configuration.Required("Crypto:RelayKey"))));
        // The saga's sweeper re-sends this step when it is overdue: a transient failure after the retries is left to it.
        builder.Services.AddSingleton(new RedrivenBySweeper(Queues.SealSubmission));
        builder.AddServiceBus(bus =>
        {
            bus.AddConsumer<SealSubmissionConsumer>(typeof(SealSubmissionConsumerDefinition));
            bus.AddConsumer<SignReceiptConsumer>(typeof(SignReceiptConsumerDefinition));
            bus.AddConsumer<SealReconciliationReportConsumer>(typeof(SealReconciliationReportConsumerDefinition));
            bus.AddConsumer<CertificatesConsumer>(typeof(CertificatesConsumerDefinition));
        });
        return builder;
    }

    /// <summary>Operators (management port): run the certificate expiry check now.</summary>
    public static WebApplication MapCrypto(this WebApplication app)
    {
        app.MapPost("/certificates/check", async (ExpiryCheck check, CancellationToken cancellationToken) =>
            Results.Ok(new { warnings = await check.Run(cancellationToken) }));
        return app;
    }
}
