using CarePlanMesh.Crypto.Certificates;
using CarePlanMesh.Crypto.Consumers;
using CarePlanMesh.Hosting;
using CarePlanMesh.Security;

namespace CarePlanMesh.Crypto;

public static class CryptoApplication
{
    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDatabase("crypto", typeof(CryptoApplication).Assembly);
        builder.Services.AddSingleton<CertificateStore>();
        builder.Services.AddHostedService<CertificateSeed>();
        builder.Services.AddSingleton(_ => new PackageSealer(Pem.LoadCertificateWithKey(
            Required(builder.Configuration, "Crypto:RelayCertificate"), Required(builder.Configuration, "Crypto:RelayKey"))));
        builder.AddServiceBus(bus => bus.AddConsumer<SealSubmissionConsumer>(typeof(SealSubmissionConsumerDefinition)));
        return builder;
    }

    static string Required(IConfiguration configuration, string key) =>
        configuration[key] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{key} is not configured (environment variable {key.Replace(":", "__")}).");
}
