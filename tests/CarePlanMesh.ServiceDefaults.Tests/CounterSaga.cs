using MassTransit;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>A small saga whose every event changes the same instance: the shape of a race.</summary>
public class CounterState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public int Version { get; set; }
    public string CurrentState { get; set; } = "";
    public int Total { get; set; }
    public List<int> Seen { get; set; } = [];
}

public record Increment
{
    public Guid CounterId { get; init; }
    public int Amount { get; init; }
}

public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public State Counting { get; private set; } = null!;
    public Event<Increment> Incremented { get; private set; } = null!;

    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Incremented, e => e.CorrelateById(m => m.Message.CounterId));
        Initially(When(Incremented).Then(Add).TransitionTo(Counting));
        During(Counting, When(Incremented).Then(Add));
    }

    static void Add(BehaviorContext<CounterState, Increment> context)
    {
        context.Saga.Total += context.Message.Amount;
        context.Saga.Seen.Add(context.Message.Amount);
    }
}
