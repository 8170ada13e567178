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
}
