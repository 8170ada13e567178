using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Submissions;
using CarePlanMesh.Intake.Submissions.StateMachines;
using MassTransit;
using MassTransit.Saga;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CarePlanMesh.Intake.Tests;

/// <summary>The submission saga as a specification, on MassTransit's in-memory test harness.</summary>
public sealed class SubmissionStateMachineSpecs : IAsyncLifetime
{
    static readonly Uri Payload = new("urn:careplanmesh:payload:0198a6f0-0000-7000-8000-000000000001");
    static readonly Uri Sealed = new("urn:careplanmesh:payload:0198a6f0-0000-7000-8000-000000000002");
    static readonly Uri Report = new("urn:careplanmesh:payload:0198a6f0-0000-7000-8000-000000000003");

    readonly ManualClock _clock = new(new DateTimeOffset(2025, 5, 25, 10, 30, 0, TimeSpan.Zero));
    readonly SubmissionOptions _options = new() { StepTimeout = TimeSpan.FromMinutes(2), MaxStepAttempts = 2, PickupPeriod = TimeSpan.FromDays(14) };
    ServiceProvider _provider = null!;
    ITestHarness _harness = null!;
    ISagaStateMachineTestHarness<SubmissionStateMachine, SubmissionState> _saga = null!;
    readonly Guid _id = NewId.NextGuid();
    readonly Guid _earlier = NewId.NextGuid();

    public async Task InitializeAsync()
    {
        _provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(_options))
            .AddMassTransitTestHarness(x => x.AddSagaStateMachine<SubmissionStateMachine, SubmissionState>().InMemoryRepository())
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        _harness.TestTimeout = TimeSpan.FromSeconds(5);
        await _harness.Start();
        _saga = _harness.GetSagaStateMachineHarness<SubmissionStateMachine, SubmissionState>();

        // Intake's API creates the instance in Validating, Received first in its timeline, and sends the validation itself
        // (SubmissionIntake); the machine takes it from there. The second instance is one an earlier intake left in Received.
        var instances = _provider.GetRequiredService<IndexedSagaDictionary<SubmissionState>>();
        instances.Add(new SagaInstance<SubmissionState>(Created(_id, [SubmissionStates.Received, SubmissionStates.Validating])));
        instances.Add(new SagaInstance<SubmissionState>(Created(_earlier, [SubmissionStates.Received])));
    }

    SubmissionState Created(Guid id, string[] timeline) => new()
    {
        CorrelationId = id,
        CurrentState = timeline[^1],
        SenderOffice = "0300000100",
        RecipientOffice = "0300000005",
        SendUnit = "20250525103000",
        ServiceMonth = "202506",
        Files = [new SubmittedFile { Name = "UPPLAN_202506_0300000100_43_0300000005_11_20250525103000.CSV", Kind = "plan6", Size = 606, Sha256 = "00" }],
        ReceivedAt = _clock.GetUtcNow(),
        PayloadAddress = Payload,
        Deadline = _clock.GetUtcNow() + _options.StepTimeout,
        Timeline = timeline.Select(state => new TimelineEntry(state, _clock.GetUtcNow())).ToList(),
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    };

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    SubmissionStateMachine Machine => _saga.StateMachine;

    SubmissionState Instance => _saga.Sagas.Contains(_id)!;

    async Task Publish<T>(T message) where T : class
    {
        var messageId = NewId.NextGuid();
        await _harness.Bus.Publish(message, context => context.MessageId = messageId);
        Assert.True(await _saga.Consumed.Any<T>(x => x.Context.MessageId == messageId));
    }

    async Task InState(State state) => Assert.NotNull(await _saga.Exists(_id, _ => state));

    async Task Validate()
    {
        await Publish(new SubmissionValidated { SubmissionId = _id, FileCount = 1, RecordCount = 3 });
        await InState(Machine.Sealing);
    }

    async Task Seal()
    {
        await Validate();
        await Publish(new SubmissionSealed { SubmissionId = _id, SealedBytes = 4096, SealedSha256 = "ab", SealedPackage = new MassTransit.MessageData.Values.DeserializedMessageData<byte[]>(Sealed) });
        await InState(Machine.Routing);
    }

    async Task Route()
    {
        await Seal();
        await Publish(new SubmissionRouted { SubmissionId = _id, SenderOffice = "0300000100", RecipientOffice = "0300000005" });
        await InState(Machine.AwaitingPickup);
    }

    async Task<DeliveryAnswer> Ask<T>(T request) where T : class
    {
        var client = _harness.GetRequestClient<T>();
        return (await client.GetResponse<DeliveryAnswer>(request)).Message;
    }

    [Fact]
    public void The_state_names_the_store_and_the_api_use_should_be_the_machines_states()
    {
        var constants = typeof(SubmissionStates).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        var states = Machine.States.Select(s => s.Name).Except([Machine.Initial.Name, Machine.Final.Name]);
        Assert.Equal(states.Order(), constants.Order());
    }

    [Fact]
    public async Task When_the_recipient_picks_up_it_should_record_the_first_pickup_and_hand_out_the_package()
    {
        await Route();
        var first = await Ask(new PickUpDelivery { SubmissionId = _id, RecipientOffice = "0300000005" });
        _clock.Advance(TimeSpan.FromMinutes(5));
        var second = await Ask(new PickUpDelivery { SubmissionId = _id, RecipientOffice = "0300000005" });

        Assert.Null(first.Refusal);
        Assert.Equal(Sealed, first.SealedPackage);
        Assert.Equal(first.PickedUpAt, second.PickedUpAt);
        Assert.Equal(first.PickedUpAt, Instance.PickedUpAt);
        // The download's request span links to the submission's trace with it.
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", first.TraceParent);
    }

    [Fact]
    public async Task When_another_office_asks_for_the_package_it_should_not_find_it()
    {
        await Route();
        var answer = await Ask(new PickUpDelivery { SubmissionId = _id, RecipientOffice = "0300000007" });

        Assert.Equal(404, answer.Refusal?.Status);
        Assert.Null(answer.SealedPackage);
        Assert.Null(Instance.PickedUpAt);
    }

    [Fact]
    public async Task When_the_sender_withdraws_before_pickup_it_should_be_withdrawn_and_the_recipient_told()
    {
        await Route();
        var answer = await Ask(new WithdrawSubmission { SubmissionId = _id, SenderOffice = "0300000100" });

        Assert.Null(answer.Refusal);
        await InState(Machine.Withdrawn);
        Assert.True(await _harness.Published.Any<SubmissionWithdrawn>(x => x.Context.Message.FromState == "AwaitingPickup"));
        Assert.True(await _harness.Sent.Any<NotifyOffice>(x =>
            x.Context.Message.OfficeNumber == "0300000005" && x.Context.Message.Topic == NotificationTopics.DeliveryWithdrawn));
        Assert.Equal(410, (await Ask(new PickUpDelivery { SubmissionId = _id, RecipientOffice = "0300000005" })).Refusal?.Status);
        Assert.NotNull(Instance.FinishedAt);
    }

    [Fact]
    public async Task A_withdrawal_asked_again_should_get_the_same_answer_and_change_nothing()
    {
        await Route();
        var first = await Ask(new WithdrawSubmission { SubmissionId = _id, SenderOffice = "0300000100" });
        var timeline = Instance.Timeline.Count;
        var again = await Ask(new WithdrawSubmission { SubmissionId = _id, SenderOffice = "0300000100" });
        var stranger = await Ask(new WithdrawSubmission { SubmissionId = _id, SenderOffice = "0300000007" });

        Assert.Equal(("Withdrawn", "Withdrawn"), (first.State, again.State));
        Assert.Null(again.Refusal);
        Assert.Equal(404, stranger.Refusal?.Status);
        Assert.Equal(timeline, Instance.Timeline.Count);
        Assert.Single(_harness.Published.Select<SubmissionWithdrawn>());
        Assert.Single(_harness.Sent.Select<NotifyOffice>(), x => x.Context.Message.Topic == NotificationTopics.DeliveryWithdrawn);
    }

    [Fact]
    public async Task When_the_sender_withdraws_after_pickup_it_should_refuse()
    {
        await Route();
        await Ask(new PickUpDelivery { SubmissionId = _id, RecipientOffice = "0300000005" });
        var answer = await Ask(new WithdrawSubmission { SubmissionId = _id, SenderOffice = "0300000100" });

        Assert.Equal((409, "already-picked-up"), (answer.Refusal?.Status, answer.Refusal?.Reason));
        await InState(Machine.AwaitingPickup);
    }

    [Fact]
    public async Task When_the_sender_withdraws_during_validation_late_outcomes_should_be_ignored()
    {
        var answer = await Ask(new WithdrawSubmission { SubmissionId = _id, SenderOffice = "0300000100" });
        await Publish(new SubmissionValidated { SubmissionId = _id, FileCount = 1, RecordCount = 3 });

        Assert.Equal("Withdrawn", answer.State);
        await InState(Machine.Withdrawn);
        Assert.False(await _harness.Sent.Any<SealSubmission>());
    }

    [Fact]
    public async Task When_another_office_withdraws_it_should_not_find_it()
    {
        await Route();
        var answer = await Ask(new WithdrawSubmission { SubmissionId = _id, SenderOffice = "0300000005" });

        Assert.Equal(404, answer.Refusal?.Status);
        await InState(Machine.AwaitingPickup);
    }

    [Fact]
    public async Task When_a_unit_arrives_out_of_order_it_should_tell_both_offices()
    {
        await Seal();
        await Publish(new SubmissionRouted { SubmissionId = _id, SenderOffice = "0300000100", RecipientOffice = "0300000005", OutOfOrder = true, LatestSendUnit = "20250526090000" });

        await InState(Machine.AwaitingPickup);
        Assert.Equal((true, "20250526090000"), (Instance.OutOfOrder, Instance.LatestSendUnit));
        foreach (var office in new[] { "0300000100", "0300000005" })
            Assert.True(await _harness.Sent.Any<NotifyOffice>(x => x.Context.Message.OfficeNumber == office && x.Context.Message.Topic == NotificationTopics.OutOfOrder));
    }

    [Fact]
    public async Task When_an_earlier_intakes_submission_is_announced_it_should_ask_validation_for_its_payload()
    {
        var messageId = NewId.NextGuid();
        await _harness.Bus.Publish(new SubmissionReceived { SubmissionId = _earlier }, context => context.MessageId = messageId);
        Assert.True(await _saga.Consumed.Any<SubmissionReceived>(x => x.Context.MessageId == messageId));

        Assert.NotNull(await _saga.Exists(_earlier, _ => Machine.Validating));
        var sent = Assert.Single(_harness.Sent.Select<ValidateSubmission>());
        Assert.Equal((_earlier, Payload), (sent.Context.Message.SubmissionId, sent.Context.Message.Payload.Address));
        Assert.Equal("validate-submission", sent.Context.DestinationAddress!.AbsolutePath.TrimStart('/'));
    }

    [Fact]
    public async Task When_an_earlier_intakes_announcement_was_lost_the_sweep_should_start_validation()
    {
        await Publish(new SubmissionStepOverdue { SubmissionId = _earlier, State = "Received" });

        Assert.NotNull(await _saga.Exists(_earlier, _ => Machine.Validating));
        Assert.True(await _harness.Sent.Any<ValidateSubmission>(x => x.Context.Message.SubmissionId == _earlier));
    }

    [Fact]
    public async Task The_command_intake_sends_first_should_be_the_one_a_re_drive_sends()
    {
        await Publish(new SubmissionStepOverdue { SubmissionId = _id, State = "Validating" });

        var resent = Assert.Single(_harness.Sent.Select<ValidateSubmission>()).Context.Message;
        var first = SubmissionStateMachine.Validation(Instance);
        Assert.Equal((first.SubmissionId, first.SenderOffice, first.RecipientOffice, first.Payload.Address),
            (resent.SubmissionId, resent.SenderOffice, resent.RecipientOffice, resent.Payload.Address));
        Assert.Equal(first.Files.Select(f => f.Name), resent.Files.Select(f => f.Name));
        Assert.Equal(1, Instance.Attempts);
    }

    [Fact]
    public async Task A_late_announcement_should_change_nothing_once_intake_has_started_the_first_step()
    {
        await Publish(new SubmissionReceived { SubmissionId = _id });

        await InState(Machine.Validating);
        Assert.False(await _harness.Sent.Any<ValidateSubmission>());
        Assert.Equal([SubmissionStates.Received, SubmissionStates.Validating], Instance.Timeline.Select(t => t.State));
    }

    [Fact]
    public async Task When_validation_passes_it_should_ask_crypto_to_seal()
    {
        await Validate();

        var seal = Assert.Single(_harness.Sent.Select<SealSubmission>());
        Assert.Equal(Payload, seal.Context.Message.Payload.Address);
        Assert.Equal(3, Instance.RecordCount);
    }

    [Fact]
    public async Task When_validation_rejects_it_should_keep_the_report_and_notify_the_sender()
    {
        await Publish(new SubmissionRejected
        {
            SubmissionId = _id, ErrorCount = 2, RuleIds = ["csv.field-count"],
            DefectReport = new MassTransit.MessageData.Values.DeserializedMessageData<byte[]>(Report),
        });

        await InState(Machine.Rejected);
        Assert.Equal((2, Report), (Instance.ErrorCount, Instance.DefectReportAddress));
        var notice = Assert.Single(_harness.Sent.Select<NotifyOffice>());
        Assert.Equal(("0300000100", NotificationTopics.SubmissionRejected), (notice.Context.Message.OfficeNumber, notice.Context.Message.Topic));
        Assert.False(await _harness.Sent.Any<SealSubmission>());
        Assert.Null(Instance.Deadline);
    }

    [Fact]
    public async Task When_sealed_it_should_ask_routing_to_deliver_the_sealed_package()
    {
        await Seal();

        var route = Assert.Single(_harness.Sent.Select<RouteSubmission>());
        Assert.Equal((Sealed, "20250525103000"), (route.Context.Message.SealedPackage.Address, route.Context.Message.SendUnit));
        Assert.Equal(4096, Instance.SealedBytes);
    }

    [Fact]
    public async Task When_sealing_fails_it_should_fail_with_the_reason_and_tell_the_sender()
    {
        await Validate();
        await Publish(new SealingFailed { SubmissionId = _id, Reason = "no-recipient-certificate", ReasonJa = "証明書なし", ReasonEn = "no certificate" });

        await InState(Machine.Failed);
        Assert.Equal("no-recipient-certificate", Instance.FailureReason);
        var failed = Assert.Single(_harness.Published.Select<SubmissionFailed>());
        Assert.Equal(("Sealing", "no-recipient-certificate"), (failed.Context.Message.Step, failed.Context.Message.Reason));
        Assert.True(await _harness.Sent.Any<NotifyOffice>(x => x.Context.Message.Topic == NotificationTopics.SubmissionFailed));
    }

    /// <summary>What MassTransit publishes when a step's consumer throws an error that no retry cures.</summary>
    async Task Fault<T>(T command, Exception? exception = null) where T : class
    {
        var messageId = NewId.NextGuid();
        ExceptionInfo[] exceptions = [new MassTransit.Events.FaultExceptionInfo(exception ?? new InvalidOperationException("a bug"))];
        await _harness.Bus.Publish<Fault<T>>(new { Message = command, FaultedMessageId = NewId.NextGuid(), Timestamp = DateTime.UtcNow, Exceptions = exceptions },
            context => context.MessageId = messageId);
        Assert.True(await _saga.Consumed.Any<Fault<T>>(x => x.Context.MessageId == messageId));
    }

    [Fact]
    public async Task When_validation_faults_it_should_fail_at_once_and_tell_the_sender()
    {
        await InState(Machine.Validating);
        await Fault(new ValidateSubmission { SubmissionId = _id, SenderOffice = "0300000100", RecipientOffice = "0300000005" });

        await InState(Machine.Failed);
        Assert.Equal("validation-fault", Instance.FailureReason);
        Assert.False(string.IsNullOrEmpty(Instance.FailureReasonJa));
        Assert.Equal("Validating", Assert.Single(_harness.Published.Select<SubmissionFailed>()).Context.Message.Step);
        Assert.True(await _harness.Sent.Any<NotifyOffice>(x =>
            x.Context.Message.OfficeNumber == "0300000100" && x.Context.Message.Topic == NotificationTopics.SubmissionFailed));
    }

    [Fact]
    public async Task When_validation_faults_because_the_database_was_down_it_should_leave_the_step_to_the_sweeper()
    {
        await InState(Machine.Validating);
        await Fault(new ValidateSubmission { SubmissionId = _id }, new Npgsql.NpgsqlException("down", new System.Net.Sockets.SocketException()));

        await InState(Machine.Validating);
        Assert.False(await _harness.Published.Any<SubmissionFailed>());
    }

    [Fact]
    public async Task When_sealing_faults_it_should_fail_at_once()
    {
        await Validate();
        await Fault(new SealSubmission { SubmissionId = _id, SenderOffice = "0300000100", RecipientOffice = "0300000005" });

        await InState(Machine.Failed);
        Assert.Equal(("sealing-fault", "Sealing"), (Instance.FailureReason, Assert.Single(_harness.Published.Select<SubmissionFailed>()).Context.Message.Step));
    }

    [Fact]
    public async Task When_routing_faults_it_should_fail_at_once()
    {
        await Seal();
        await Fault(new RouteSubmission { SubmissionId = _id, SenderOffice = "0300000100", RecipientOffice = "0300000005", SendUnit = "20250525103000" });

        await InState(Machine.Failed);
        Assert.Equal(("routing-fault", "Routing"), (Instance.FailureReason, Assert.Single(_harness.Published.Select<SubmissionFailed>()).Context.Message.Step));
    }

    [Fact]
    public async Task When_a_step_already_left_faults_late_it_should_be_ignored()
    {
        await Seal();
        await Fault(new ValidateSubmission { SubmissionId = _id, SenderOffice = "0300000100", RecipientOffice = "0300000005" });

        await InState(Machine.Routing);
        Assert.False(await _harness.Published.Any<SubmissionFailed>());
    }

    [Fact]
    public async Task When_routed_it_should_await_pickup_notify_the_recipient_and_count_the_files()
    {
        await Route();

        Assert.Equal(_clock.GetUtcNow() + _options.PickupPeriod, Instance.Deadline);
        Assert.True(await _harness.Sent.Any<NotifyOffice>(x =>
            x.Context.Message.OfficeNumber == "0300000005" && x.Context.Message.Topic == NotificationTopics.DeliveryAvailable));
        var usage = Assert.Single(_harness.Sent.Select<RecordUsage>());
        Assert.Equal(("202506", "plan6"), (usage.Context.Message.ServiceMonth, Assert.Single(usage.Context.Message.FileKinds)));
    }

    [Fact]
    public async Task When_routing_refuses_it_should_fail_with_routings_reason()
    {
        await Seal();
        await Publish(new RoutingFailed { SubmissionId = _id, Reason = "unknown-recipient", ReasonJa = "未登録", ReasonEn = "not registered" });

        await InState(Machine.Failed);
        Assert.Equal(("unknown-recipient", "not registered"), (Instance.FailureReason, Instance.FailureReasonEn));
        Assert.Equal("Routing", Assert.Single(_harness.Published.Select<SubmissionFailed>()).Context.Message.Step);
    }

    [Fact]
    public async Task When_the_recipient_acknowledges_it_should_complete_and_tell_the_sender()
    {
        await Route();
        await Publish(new AcknowledgeDelivery { SubmissionId = _id, RecipientOffice = "0300000005" });

        await InState(Machine.Acknowledged);
        Assert.True(await _harness.Published.Any<DeliveryAcknowledged>(x => x.Context.Message.RecipientOffice == "0300000005"));
        Assert.True(await _harness.Published.Any<SubmissionCompleted>(x => x.Context.Message.SubmissionId == _id));
        Assert.True(await _harness.Sent.Any<NotifyOffice>(x =>
            x.Context.Message.OfficeNumber == "0300000100" && x.Context.Message.Topic == NotificationTopics.DeliveryAcknowledged));
        Assert.Null(Instance.Deadline);
    }

    [Fact]
    public async Task When_another_office_acknowledges_it_should_stay_awaiting_pickup()
    {
        await Route();
        await Publish(new AcknowledgeDelivery { SubmissionId = _id, RecipientOffice = "0300000007" });

        await InState(Machine.AwaitingPickup);
        Assert.False(await _harness.Published.Any<SubmissionCompleted>());
    }

    [Fact]
    public async Task When_a_step_is_overdue_it_should_send_the_command_again()
    {
        await Validate();
        _clock.Advance(TimeSpan.FromMinutes(3));
        await Publish(new SubmissionStepOverdue { SubmissionId = _id, State = "Sealing" });

        await InState(Machine.Sealing);
        Assert.Equal(2, _harness.Sent.Select<SealSubmission>().Count());
        Assert.Equal(1, Instance.Attempts);
        Assert.Equal(_clock.GetUtcNow() + _options.StepTimeout, Instance.Deadline);
    }

    [Fact]
    public async Task When_a_step_stays_overdue_after_every_retry_it_should_fail_with_a_timeout()
    {
        for (var attempt = 0; attempt <= _options.MaxStepAttempts; attempt++)
            await Publish(new SubmissionStepOverdue { SubmissionId = _id, State = "Validating" });

        await InState(Machine.Failed);
        Assert.Equal("validation-timeout", Instance.FailureReason);
        // Intake sent the first one; each overdue deadline but the last re-sends it.
        Assert.Equal(_options.MaxStepAttempts, _harness.Sent.Select<ValidateSubmission>().Count());
        Assert.Equal("Validating", Assert.Single(_harness.Published.Select<SubmissionFailed>()).Context.Message.Step);
    }

    [Fact]
    public async Task When_the_pickup_deadline_passes_it_should_expire_and_tell_the_sender()
    {
        await Route();
        _clock.Advance(_options.PickupPeriod + TimeSpan.FromSeconds(1));
        await Publish(new SubmissionStepOverdue { SubmissionId = _id, State = "AwaitingPickup" });

        await InState(Machine.Expired);
        Assert.True(await _harness.Published.Any<SubmissionExpired>(x => x.Context.Message.SubmissionId == _id));
        Assert.True(await _harness.Sent.Any<NotifyOffice>(x => x.Context.Message.Topic == NotificationTopics.SubmissionExpired));
    }

    [Fact]
    public async Task When_an_overdue_notice_arrives_before_the_pickup_deadline_it_should_be_ignored()
    {
        await Route();
        await Publish(new SubmissionStepOverdue { SubmissionId = _id, State = "AwaitingPickup" });

        await InState(Machine.AwaitingPickup);
        Assert.False(await _harness.Published.Any<SubmissionExpired>());
    }

    [Fact]
    public async Task When_an_outcome_arrives_twice_it_should_act_once()
    {
        await Validate();
        await Publish(new SubmissionValidated { SubmissionId = _id, FileCount = 1, RecordCount = 3 });

        await InState(Machine.Sealing);
        Assert.Single(_harness.Sent.Select<SealSubmission>());
    }

    [Fact]
    public async Task It_should_record_every_transition_with_its_time()
    {
        await Route();
        _clock.Advance(TimeSpan.FromHours(1));
        await Publish(new AcknowledgeDelivery { SubmissionId = _id, RecipientOffice = "0300000005" });
        await InState(Machine.Acknowledged);

        Assert.Equal(["Received", "Validating", "Sealing", "Routing", "AwaitingPickup", "Acknowledged"], Instance.Timeline.Select(t => t.State));
        Assert.Equal(_clock.GetUtcNow(), Instance.Timeline[^1].At);
    }
}
