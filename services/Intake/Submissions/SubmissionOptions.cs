namespace CarePlanMesh.Intake.Submissions;

/// <summary>Deadlines of the submission saga and intake's admission bound (configuration section "Submissions").</summary>
public sealed class SubmissionOptions
{
    /// <summary>How long validation, sealing or routing may take before the step is re-driven.</summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How many times an overdue step is re-driven before the submission fails.</summary>
    public int MaxStepAttempts { get; set; } = 5;
    /// <summary>How long the recipient has to pick a delivery up before it expires.</summary>
    public TimeSpan PickupPeriod { get; set; } = TimeSpan.FromDays(14);
    /// <summary>The recipient is reminded of a delivery still not picked up this long after it arrived.</summary>
    public TimeSpan PickupReminderAfter { get; set; } = TimeSpan.FromDays(3);
    /// <summary>The recipient is reminded of a delivery still not picked up this long before its deadline.</summary>
    public TimeSpan PickupReminderBefore { get; set; } = TimeSpan.FromDays(1);
    /// <summary>
    /// Admission control: while this many submissions or more are between receipt and the mailbox (Received, Validating,
    /// Sealing, Routing), POST /v1/submissions answers 503 pipeline-busy with Retry-After and stores nothing. 0 turns it off.
    /// </summary>
    public int MaxInPipeline { get; set; } = 1000;
    /// <summary>How often each intake replica counts the submissions in the pipeline.</summary>
    public TimeSpan PipelineCheckInterval { get; set; } = TimeSpan.FromSeconds(1);
}
