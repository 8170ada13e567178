using CarePlanMesh.Contracts;
using CarePlanMesh.Crypto.Certificates;
using MassTransit;

namespace CarePlanMesh.Crypto.Consumers;

/// <summary>Sign-in's certificate check, registration and revocation: crypto owns the offices' certificates.</summary>
public sealed class CertificatesConsumer(CertificateStore store, TimeProvider clock, ILogger<CertificatesConsumer> logger)
    : IConsumer<CheckCertificate>, IConsumer<RevokeCertificate>, IConsumer<RegisterCertificate>
{
    public async Task Consume(ConsumeContext<RegisterCertificate> context) =>
        await store.Add(context.Message.Office, System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(context.Message.Certificate), context.CancellationToken);

    public async Task Consume(ConsumeContext<CheckCertificate> context) =>
        await context.RespondAsync(await store.Check(context.Message.Office, context.Message.Certificate, clock.GetUtcNow(), context.CancellationToken));

    public async Task Consume(ConsumeContext<RevokeCertificate> context)
    {
        var revokedAt = await store.Revoke(context.Message.Office, context.Message.Thumbprint, clock.GetUtcNow(), context.CancellationToken);
        if (revokedAt is null)
        {
            logger.LogWarning("Revocation of an unknown certificate of office {Office} ignored", context.Message.Office);
            return;
        }
        await context.Publish(new CertificateRevoked { Office = context.Message.Office, Thumbprint = context.Message.Thumbprint, RevokedAt = revokedAt.Value });
    }
}

public sealed class CertificatesConsumerDefinition : ConsumerDefinition<CertificatesConsumer>
{
    public CertificatesConsumerDefinition() => EndpointName = Queues.Certificates;
}
