using CarePlanMesh.Contracts;
using MassTransit;

namespace CarePlanMesh.Intake.Submissions.StateMachines;

/// <summary>The saga's queue. Retries (optimistic-concurrency losses among them) and the in-memory outbox come from the shared endpoint defaults.</summary>
public sealed class SubmissionStateMachineDefinition : SagaDefinition<SubmissionState>
{
    public SubmissionStateMachineDefinition()
    {
        EndpointName = Queues.Submissions;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<SubmissionState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Intake starts the first step itself, so the saga's queue is not bound to SubmissionReceived: one delivery fewer per
        // submission. A broker set up by an earlier version keeps its binding; the saga then ignores the event in Validating
        // (docs/operations.md, "Upgrading").
        endpointConfigurator.ConfigureMessageTopology<SubmissionReceived>(false);
    }
}
