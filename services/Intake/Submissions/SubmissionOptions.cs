namespace CarePlanMesh.Intake.Submissions;

/// <summary>Deadlines of the submission saga (configuration section "Submissions").</summary>
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
}
