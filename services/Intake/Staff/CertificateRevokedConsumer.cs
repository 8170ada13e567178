using CarePlanMesh.Contracts;
using MassTransit;

namespace CarePlanMesh.Intake.Staff;

/// <summary>Revocation takes effect at once: every token issued on the revoked certificate is deleted.</summary>
public sealed class CertificateRevokedConsumer(StaffDirectory staff) : IConsumer<CertificateRevoked>
{
    public Task Consume(ConsumeContext<CertificateRevoked> context) =>
        staff.EndSessions(context.Message.Office, context.Message.Thumbprint, context.CancellationToken);
}

public sealed class CertificateRevokedConsumerDefinition : ConsumerDefinition<CertificateRevokedConsumer>
{
    public CertificateRevokedConsumerDefinition() => EndpointName = Queues.IntakeCertificateRevoked;
}
