using CarePlanMesh.Contracts;
using CarePlanMesh.Security;
using MassTransit;

namespace CarePlanMesh.Crypto.Consumers;

/// <summary>Signs a receipt with the relay's key: only crypto holds it.</summary>
public sealed class SignReceiptConsumer(PackageSealer sealer) : IConsumer<SignReceipt>
{
    public Task Consume(ConsumeContext<SignReceipt> context) =>
        context.RespondAsync(new ReceiptSigned { Cms = sealer.Sign(context.Message.Content) });
}

public sealed class SignReceiptConsumerDefinition : ConsumerDefinition<SignReceiptConsumer>
{
    public SignReceiptConsumerDefinition() => EndpointName = Queues.SignReceipt;
}
