using CarePlanMesh.Contracts;
using CarePlanMesh.ServiceDefaults.Errors;
using CarePlanMesh.ServiceDefaults.MessageData;
using MassTransit;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Intake.Submissions.StateMachines;

/// <summary>
/// Received → Validating → Sealing → Routing → AwaitingPickup → Acknowledged, with Rejected, Failed, Expired and
/// Withdrawn (by the sender, until the recipient picks the package up).
/// Intake's HTTP API creates the instance in Validating (Received first in its timeline) and sends that step's command
/// itself; every later step is a command to a service whose outcome event moves the instance on. Received remains for
/// instances an earlier intake created, which SubmissionReceived or the sweeper start. Overdue steps (deadline column, swept by <see cref="Submissions.SubmissionSweeper"/>) are
/// re-driven into the idempotent consumers, then failed.
/// </summary>
public sealed class SubmissionStateMachine : MassTransitStateMachine<SubmissionState>
{
    public State Received { get; private set; } = null!;
    public State Validating { get; private set; } = null!;
    public State Sealing { get; private set; } = null!;
    public State Routing { get; private set; } = null!;
    public State AwaitingPickup { get; private set; } = null!;
    public State Acknowledged { get; private set; } = null!;
    public State Rejected { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Expired { get; private set; } = null!;
    public State Withdrawn { get; private set; } = null!;

    public Event<SubmissionReceived> SubmissionReceived { get; private set; } = null!;
    public Event<SubmissionValidated> SubmissionValidated { get; private set; } = null!;
    public Event<SubmissionRejected> SubmissionRejected { get; private set; } = null!;
    public Event<SubmissionSealed> SubmissionSealed { get; private set; } = null!;
    public Event<SealingFailed> SealingFailed { get; private set; } = null!;
    public Event<SubmissionRouted> SubmissionRouted { get; private set; } = null!;
    public Event<RoutingFailed> RoutingFailed { get; private set; } = null!;
    public Event<AcknowledgeDelivery> AcknowledgeDelivery { get; private set; } = null!;
    public Event<SubmissionStepOverdue> StepOverdue { get; private set; } = null!;
    public Event<PickUpDelivery> PickUp { get; private set; } = null!;
    public Event<WithdrawSubmission> Withdraw { get; private set; } = null!;
    /// <summary>A step's consumer failed in a way no retry cures (transient failures are retried, then left to the sweeper).</summary>
    public Event<Fault<ValidateSubmission>> ValidationFaulted { get; private set; } = null!;
    public Event<Fault<SealSubmission>> SealingFaulted { get; private set; } = null!;
    public Event<Fault<RouteSubmission>> RoutingFaulted { get; private set; } = null!;

    readonly SubmissionOptions _options;
    readonly TimeProvider _clock;

    public SubmissionStateMachine(IOptions<SubmissionOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;

        InstanceState(x => x.CurrentState);

        Event(() => SubmissionReceived, e => { e.CorrelateById(m => m.Message.SubmissionId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SubmissionValidated, e => e.CorrelateById(m => m.Message.SubmissionId));
        Event(() => SubmissionRejected, e => e.CorrelateById(m => m.Message.SubmissionId));
        Event(() => SubmissionSealed, e => e.CorrelateById(m => m.Message.SubmissionId));
        Event(() => SealingFailed, e => e.CorrelateById(m => m.Message.SubmissionId));
        Event(() => SubmissionRouted, e => e.CorrelateById(m => m.Message.SubmissionId));
        Event(() => RoutingFailed, e => e.CorrelateById(m => m.Message.SubmissionId));
        Event(() => AcknowledgeDelivery, e => e.CorrelateById(m => m.Message.SubmissionId));
        Event(() => StepOverdue, e => { e.CorrelateById(m => m.Message.SubmissionId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => PickUp, e => { e.CorrelateById(m => m.Message.SubmissionId); e.OnMissingInstance(m => m.ExecuteAsync(x => x.RespondAsync(NotFound(x.Message.SubmissionId)))); });
        Event(() => Withdraw, e => { e.CorrelateById(m => m.Message.SubmissionId); e.OnMissingInstance(m => m.ExecuteAsync(x => x.RespondAsync(NotFound(x.Message.SubmissionId)))); });
        Event(() => ValidationFaulted, e => { e.CorrelateById(m => m.Message.Message.SubmissionId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SealingFaulted, e => { e.CorrelateById(m => m.Message.Message.SubmissionId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RoutingFaulted, e => { e.CorrelateById(m => m.Message.Message.SubmissionId); e.OnMissingInstance(m => m.Discard()); });

        // One block per state, every event it handles in one place. Every message may arrive twice (re-drives,
        // redeliveries): outcomes and faults of steps the submission has already left are ignored.
        During(Received,
            When(SubmissionReceived).Then(Enter(Validating)).Send(ValidateAddress, Validate).TransitionTo(Validating),
            When(StepOverdue).Then(Enter(Validating)).Send(ValidateAddress, Validate).TransitionTo(Validating),
            WithdrawBeforePickup(),
            Ignore(AcknowledgeDelivery), Ignore(ValidationFaulted), Ignore(SealingFaulted), Ignore(RoutingFaulted));

        During(Validating,
            When(SubmissionValidated)
                .Then(x =>
                {
                    x.Saga.RecordCount = x.Message.RecordCount;
                    x.Saga.WarningCount = x.Message.WarningCount;
                    x.Saga.ErrorCount = 0;
                    x.Saga.DefectReportAddress = AddressOf(x.Message.DefectReport);
                })
                .Then(Enter(Sealing)).Send(SealAddress, Seal).TransitionTo(Sealing),
            When(SubmissionRejected)
                .Then(x =>
                {
                    x.Saga.ErrorCount = x.Message.ErrorCount;
                    x.Saga.WarningCount = x.Message.WarningCount;
                    x.Saga.DefectReportAddress = AddressOf(x.Message.DefectReport);
                })
                .Then(EnterFinal(Rejected))
                .Send(NotifyAddress, x => Notify(x.Saga, x.Saga.SenderOffice, NotificationTopics.SubmissionRejected) with
                {
                    ErrorCount = x.Saga.ErrorCount,
                    WarningCount = x.Saga.WarningCount,
                })
                .TransitionTo(Rejected),
            When(StepOverdue, x => CanRetry(x.Saga)).Then(Retry).Send(ValidateAddress, Validate),
            Faulted(ValidationFaulted, SubmissionStates.Validating, "validation-fault", "検証サービスでこの送信を処理できませんでした。", "The validation service could not process this submission."),
            TimedOut(SubmissionStates.Validating, "validation-timeout", "検証サービスが応答しませんでした。", "The validation service did not answer."),
            WithdrawBeforePickup(),
            Ignore(SubmissionReceived), Ignore(AcknowledgeDelivery), Ignore(SealingFaulted), Ignore(RoutingFaulted));

        During(Sealing,
            When(SubmissionSealed)
                .Then(x =>
                {
                    x.Saga.SealedPackageAddress = x.Message.SealedPackage.Address;
                    x.Saga.SealedBytes = x.Message.SealedBytes;
                    x.Saga.SealedSha256 = x.Message.SealedSha256;
                })
                .Then(Enter(Routing)).Send(RouteAddress, Route).TransitionTo(Routing),
            FailStep(When(SealingFailed).Then(x => SetReason(x.Saga, x.Message.Reason, x.Message.ReasonJa, x.Message.ReasonEn)), SubmissionStates.Sealing),
            When(StepOverdue, x => CanRetry(x.Saga)).Then(Retry).Send(SealAddress, Seal),
            Faulted(SealingFaulted, SubmissionStates.Sealing, "sealing-fault", "暗号化サービスでこの送信を封緘できませんでした。", "The crypto service could not seal this submission."),
            TimedOut(SubmissionStates.Sealing, "sealing-timeout", "暗号化サービスが応答しませんでした。", "The crypto service did not answer."),
            WithdrawBeforePickup(),
            Ignore(SubmissionReceived), Ignore(SubmissionValidated), Ignore(SubmissionRejected),
            Ignore(AcknowledgeDelivery), Ignore(ValidationFaulted), Ignore(RoutingFaulted));

        During(Routing,
            When(SubmissionRouted)
                .Then(x =>
                {
                    Record(x.Saga, AwaitingPickup);
                    x.Saga.Deadline = x.Saga.Timeline[^1].At + _options.PickupPeriod;
                    x.Saga.Attempts = 0;
                    x.Saga.OutOfOrder = x.Message.OutOfOrder;
                    x.Saga.LatestSendUnit = x.Message.LatestSendUnit;
                })
                .Send(NotifyAddress, x => Notify(x.Saga, x.Saga.RecipientOffice, NotificationTopics.DeliveryAvailable))
                .If(x => x.Message.OutOfOrder, order => order
                    .Send(NotifyAddress, x => Notify(x.Saga, x.Saga.SenderOffice, NotificationTopics.OutOfOrder))
                    .Send(NotifyAddress, x => Notify(x.Saga, x.Saga.RecipientOffice, NotificationTopics.OutOfOrder)))
                .Send(UsageAddress, x => new RecordUsage
                {
                    SubmissionId = x.Saga.CorrelationId,
                    SenderOffice = x.Saga.SenderOffice,
                    RecipientOffice = x.Saga.RecipientOffice,
                    ServiceMonth = x.Saga.ServiceMonth,
                    FileKinds = x.Saga.Files.Select(f => f.Kind).ToList(),
                })
                .TransitionTo(AwaitingPickup),
            FailStep(When(RoutingFailed).Then(x => SetReason(x.Saga, x.Message.Reason, x.Message.ReasonJa, x.Message.ReasonEn)), SubmissionStates.Routing),
            When(StepOverdue, x => CanRetry(x.Saga)).Then(Retry).Send(RouteAddress, Route),
            Faulted(RoutingFaulted, SubmissionStates.Routing, "routing-fault", "配信サービスでこの送信を配信できませんでした。", "The routing service could not deliver this submission."),
            TimedOut(SubmissionStates.Routing, "routing-timeout", "配信サービスが応答しませんでした。", "The routing service did not answer."),
            WithdrawBeforePickup(),
            Ignore(SubmissionReceived), Ignore(SubmissionValidated), Ignore(SubmissionRejected), Ignore(SubmissionSealed), Ignore(SealingFailed),
            Ignore(AcknowledgeDelivery), Ignore(ValidationFaulted), Ignore(SealingFaulted));

        During(AwaitingPickup,
            When(AcknowledgeDelivery, x => x.Message.RecipientOffice == x.Saga.RecipientOffice)
                .Then(EnterFinal(Acknowledged))
                .Publish(x => (new DeliveryAcknowledged
                {
                    SubmissionId = x.Saga.CorrelationId,
                    SenderOffice = x.Saga.SenderOffice,
                    RecipientOffice = x.Saga.RecipientOffice,
                    AcknowledgedAt = x.Saga.Timeline[^1].At,
                }))
                .Publish(x => (new SubmissionCompleted
                {
                    SubmissionId = x.Saga.CorrelationId,
                    ReceivedAt = x.Saga.ReceivedAt,
                    CompletedAt = x.Saga.Timeline[^1].At,
                }))
                .Send(NotifyAddress, x => Notify(x.Saga, x.Saga.SenderOffice, NotificationTopics.DeliveryAcknowledged))
                .TransitionTo(Acknowledged),
            Ignore(AcknowledgeDelivery, x => x.Message.RecipientOffice != x.Saga.RecipientOffice),
            When(StepOverdue, x => x.Saga.Deadline <= _clock.GetUtcNow())
                .Publish(x => (new SubmissionExpired
                {
                    SubmissionId = x.Saga.CorrelationId,
                    SenderOffice = x.Saga.SenderOffice,
                    RecipientOffice = x.Saga.RecipientOffice,
                    Deadline = x.Saga.Deadline!.Value,
                }))
                .Then(EnterFinal(Expired))
                .Send(NotifyAddress, x => Notify(x.Saga, x.Saga.SenderOffice, NotificationTopics.SubmissionExpired))
                .TransitionTo(Expired),
            Ignore(StepOverdue, x => x.Saga.Deadline > _clock.GetUtcNow()),
            When(PickUp, x => x.Message.RecipientOffice == x.Saga.RecipientOffice)
                .Then(x => x.Saga.PickedUpAt ??= _clock.GetUtcNow())
                .RespondAsync(x => x.Init<DeliveryAnswer>(PickedUp(x.Saga))),
            When(Withdraw, x => x.Message.SenderOffice == x.Saga.SenderOffice && x.Saga.PickedUpAt is null)
                .Publish(x => Withdrawal(x.Saga))
                .Then(EnterFinal(Withdrawn))
                .Send(NotifyAddress, x => Notify(x.Saga, x.Saga.RecipientOffice, NotificationTopics.DeliveryWithdrawn))
                .RespondAsync(x => x.Init<DeliveryAnswer>(WithdrawnAnswer(x.Saga)))
                .TransitionTo(Withdrawn),
            When(Withdraw, x => x.Message.SenderOffice == x.Saga.SenderOffice && x.Saga.PickedUpAt is not null)
                .RespondAsync(x => x.Init<DeliveryAnswer>(Refused(x.Saga, 409, "already-picked-up",
                    $"受信側が{x.Saga.PickedUpAt:yyyy-MM-dd HH:mm:ss}（UTC）に受け取り済みのため、取り下げできません。",
                    $"The recipient picked the package up at {x.Saga.PickedUpAt:u}; it can no longer be withdrawn."))),
            Ignore(SubmissionReceived), Ignore(SubmissionValidated), Ignore(SubmissionRejected), Ignore(SubmissionSealed), Ignore(SealingFailed),
            Ignore(SubmissionRouted), Ignore(RoutingFailed), Ignore(ValidationFaulted), Ignore(SealingFaulted), Ignore(RoutingFaulted));

        During(Acknowledged,
        [
            When(PickUp, x => x.Message.RecipientOffice == x.Saga.RecipientOffice)
                .RespondAsync(x => x.Init<DeliveryAnswer>(PickedUp(x.Saga))),
            .. Finished(),
        ]);
        // A withdrawal asked again (a client retrying after a lost answer, or a redelivered request whose first attempt
        // committed) gets the same answer, not a refusal.
        During(Withdrawn,
        [
            When(Withdraw, x => x.Message.SenderOffice == x.Saga.SenderOffice)
                .RespondAsync(x => x.Init<DeliveryAnswer>(WithdrawnAnswer(x.Saga))),
            .. Finished(),
        ]);
        During(Rejected, Failed, Expired, Finished());

        // In every state: a pickup or withdrawal the state above does not take is answered with the state it is in, as a
        // refusal; another office's request is not found.
        DuringAny(
            When(PickUp, x => x.Message.RecipientOffice != x.Saga.RecipientOffice || x.Saga.CurrentState is not (SubmissionStates.AwaitingPickup or SubmissionStates.Acknowledged))
                .RespondAsync(x => x.Init<DeliveryAnswer>(x.Message.RecipientOffice != x.Saga.RecipientOffice || x.Saga.SealedPackageAddress is null
                    ? NotFound(x.Saga.CorrelationId)
                    : Refused(x.Saga, 410, "gone", $"この配信は「{x.Saga.CurrentState}」のため受け取れません。", $"The delivery is {x.Saga.CurrentState} and can no longer be picked up."))),
            When(Withdraw, x => x.Message.SenderOffice != x.Saga.SenderOffice)
                .RespondAsync(x => x.Init<DeliveryAnswer>(NotFound(x.Saga.CorrelationId))),
            When(Withdraw, x => x.Message.SenderOffice == x.Saga.SenderOffice && x.Saga.CurrentState is not (SubmissionStates.Received or SubmissionStates.Validating or SubmissionStates.Sealing or SubmissionStates.Routing or SubmissionStates.AwaitingPickup or SubmissionStates.Withdrawn))
                .RespondAsync(x => x.Init<DeliveryAnswer>(Refused(x.Saga, 409, "not-withdrawable",
                    $"この送信は「{x.Saga.CurrentState}」のため取り下げできません。", $"The submission is {x.Saga.CurrentState} and can no longer be withdrawn."))));
    }

    public static readonly Uri ValidateAddress = Queues.Address(Queues.ValidateSubmission);
    static readonly Uri SealAddress = Queues.Address(Queues.SealSubmission);
    static readonly Uri RouteAddress = Queues.Address(Queues.RouteSubmission);
    static readonly Uri NotifyAddress = Queues.Address(Queues.NotifyOffice);
    static readonly Uri UsageAddress = Queues.Address(Queues.RecordUsage);

    static ValidateSubmission Validate(BehaviorContext<SubmissionState> x) => Validation(x.Saga);

    /// <summary>The first step's command, sent by intake when it stores the unit and again by every re-drive.</summary>
    public static ValidateSubmission Validation(SubmissionState saga) => new()
    {
        SubmissionId = saga.CorrelationId,
        SenderOffice = saga.SenderOffice,
        RecipientOffice = saga.RecipientOffice,
        Files = saga.Files,
        Payload = PostgresMessageDataRepository.Reference(saga.PayloadAddress!),
    };

    static SealSubmission Seal(BehaviorContext<SubmissionState> x) => new()
    {
        SubmissionId = x.Saga.CorrelationId,
        SenderOffice = x.Saga.SenderOffice,
        RecipientOffice = x.Saga.RecipientOffice,
        Payload = PostgresMessageDataRepository.Reference(x.Saga.PayloadAddress!),
    };

    static RouteSubmission Route(BehaviorContext<SubmissionState> x) => new()
    {
        SubmissionId = x.Saga.CorrelationId,
        SenderOffice = x.Saga.SenderOffice,
        RecipientOffice = x.Saga.RecipientOffice,
        SendUnit = x.Saga.SendUnit,
        FileKinds = x.Saga.Files.Select(f => f.Kind).ToList(),
        SealedPackage = PostgresMessageDataRepository.Reference(x.Saga.SealedPackageAddress!),
    };

    static DeliveryAnswer PickedUp(SubmissionState saga) => new()
    {
        SubmissionId = saga.CorrelationId,
        State = saga.CurrentState,
        SealedPackage = saga.SealedPackageAddress,
        PickedUpAt = saga.PickedUpAt,
        TraceParent = saga.TraceParent,
    };

    static DeliveryAnswer WithdrawnAnswer(SubmissionState saga) => new() { SubmissionId = saga.CorrelationId, State = SubmissionStates.Withdrawn };

    static DeliveryAnswer NotFound(Guid id) => new()
    {
        SubmissionId = id,
        Refusal = new Refusal { Status = 404, Reason = "not-found", ReasonJa = "見つかりません。", ReasonEn = "Not found." },
    };

    static DeliveryAnswer Refused(SubmissionState saga, int status, string reason, string ja, string en) => new()
    {
        SubmissionId = saga.CorrelationId,
        State = saga.CurrentState,
        PickedUpAt = saga.PickedUpAt,
        Refusal = new Refusal { Status = status, Reason = reason, ReasonJa = ja, ReasonEn = en },
    };

    SubmissionWithdrawn Withdrawal(SubmissionState saga) => new()
    {
        SubmissionId = saga.CorrelationId,
        SenderOffice = saga.SenderOffice,
        RecipientOffice = saga.RecipientOffice,
        FromState = saga.CurrentState,
        WithdrawnAt = _clock.GetUtcNow(),
    };

    static NotifyOffice Notify(SubmissionState saga, string office, string topic) =>
        new() { SubmissionId = saga.CorrelationId, OfficeNumber = office, Topic = topic, ToRecipient = office == saga.RecipientOffice };

    static SubmissionFailed Failure(SubmissionState saga, string step) => new()
    {
        SubmissionId = saga.CorrelationId,
        Step = step,
        Reason = saga.FailureReason ?? "",
        ReasonJa = saga.FailureReasonJa ?? "",
        ReasonEn = saga.FailureReasonEn ?? "",
    };

    // An absent claim check deserializes as empty message data, whose Address throws.
    static Uri? AddressOf(MessageData<byte[]>? data) => data is { HasValue: true } ? data.Address : null;

    bool CanRetry(SubmissionState saga) => saga.Attempts < _options.MaxStepAttempts;

    /// <summary>Records the step being entered and gives it a deadline.</summary>
    Action<BehaviorContext<SubmissionState>> Enter(State state) => x =>
    {
        Record(x.Saga, state);
        x.Saga.Attempts = 0;
        x.Saga.Deadline = x.Saga.Timeline[^1].At + _options.StepTimeout;
    };

    Action<BehaviorContext<SubmissionState>> EnterFinal(State state) => x =>
    {
        Record(x.Saga, state);
        x.Saga.Deadline = null;
        x.Saga.FinishedAt = x.Saga.Timeline[^1].At;
    };

    void Retry(BehaviorContext<SubmissionState> x)
    {
        x.Saga.Attempts++;
        x.Saga.Deadline = _clock.GetUtcNow() + _options.StepTimeout;
    }

    /// <summary>The step's last attempt is overdue: the submission fails.</summary>
    EventActivityBinder<SubmissionState, SubmissionStepOverdue> TimedOut(string step, string reason, string ja, string en) =>
        FailStep(When(StepOverdue, x => !CanRetry(x.Saga)).Then(x => SetReason(x.Saga, reason, ja, en)), step);

    /// <summary>
    /// The step's consumer faulted: the submission fails at once instead of waiting out the step's deadlines. A transient fault
    /// (the database or broker was down through every retry) changes nothing: the sweeper re-sends the step when it is overdue.
    /// </summary>
    EventActivityBinder<SubmissionState, Fault<T>> Faulted<T>(Event<Fault<T>> fault, string step, string reason, string ja, string en) where T : class =>
        When(fault).If(x => !TransientErrors.IsTransient(x.Message.Exceptions),
            permanent => FailStep(permanent.Then(x => SetReason(x.Saga, reason, ja, en)), step));

    /// <summary>Before pickup the sender may withdraw at any step; late outcomes of that step are then ignored in Withdrawn.</summary>
    EventActivityBinder<SubmissionState, WithdrawSubmission> WithdrawBeforePickup() =>
        When(Withdraw, x => x.Message.SenderOffice == x.Saga.SenderOffice)
            .Publish(x => Withdrawal(x.Saga))
            .Then(EnterFinal(Withdrawn))
            .RespondAsync(x => x.Init<DeliveryAnswer>(WithdrawnAnswer(x.Saga)))
            .TransitionTo(Withdrawn);

    /// <summary>A final state: every outcome, fault, acknowledgement or overdue step that arrives late changes nothing.</summary>
    EventActivities<SubmissionState>[] Finished() =>
    [
        Ignore(SubmissionReceived), Ignore(SubmissionValidated), Ignore(SubmissionRejected), Ignore(SubmissionSealed), Ignore(SealingFailed),
        Ignore(SubmissionRouted), Ignore(RoutingFailed), Ignore(AcknowledgeDelivery), Ignore(StepOverdue),
        Ignore(ValidationFaulted), Ignore(SealingFaulted), Ignore(RoutingFaulted),
    ];

    /// <summary>Ends the submission in Failed: recorded, published for analytics, and the sender told.</summary>
    EventActivityBinder<SubmissionState, T> FailStep<T>(EventActivityBinder<SubmissionState, T> binder, string step) where T : class =>
        binder.Then(EnterFinal(Failed))
            .Publish(x => Failure(x.Saga, step))
            .Send(NotifyAddress, x => Notify(x.Saga, x.Saga.SenderOffice, NotificationTopics.SubmissionFailed))
            .TransitionTo(Failed);

    static void SetReason(SubmissionState saga, string reason, string ja, string en)
    {
        saga.FailureReason = reason;
        saga.FailureReasonJa = ja;
        saga.FailureReasonEn = en;
    }

    void Record(SubmissionState saga, State state) => saga.Timeline.Add(new TimelineEntry(state.Name, _clock.GetUtcNow()));
}
