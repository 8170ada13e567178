namespace CarePlanMesh.Intake.Submissions.StateMachines;

/// <summary>
/// The names of the <see cref="SubmissionStateMachine"/>'s states, as the saga stores them in current_state and the API shows
/// them: one spelling for the machine, the SQL and the endpoints. They are the names of the machine's State properties.
/// </summary>
public static class SubmissionStates
{
    public const string Received = nameof(Received);
    public const string Validating = nameof(Validating);
    public const string Sealing = nameof(Sealing);
    public const string Routing = nameof(Routing);
    public const string AwaitingPickup = nameof(AwaitingPickup);
    public const string Acknowledged = nameof(Acknowledged);
    public const string Rejected = nameof(Rejected);
    public const string Failed = nameof(Failed);
    public const string Expired = nameof(Expired);
    public const string Withdrawn = nameof(Withdrawn);

    /// <summary>Every state, in the order a submission moves through them: what a list may be filtered by.</summary>
    public static readonly IReadOnlyList<string> All =
        [Received, Validating, Sealing, Routing, AwaitingPickup, Acknowledged, Rejected, Failed, Expired, Withdrawn];
}
