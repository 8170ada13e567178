namespace CarePlanMesh.Routing.Licences;

/// <summary>Configuration section "Licences" (issue #5 §2; the national system's fee and free-pass campaign as defaults).</summary>
public sealed class LicenceOptions
{
    public int AnnualFeeYen { get; set; } = 21_000;
    /// <summary>First day free-pass applications are accepted.</summary>
    public DateOnly FreePassApplicationsFrom { get; set; } = new(2025, 6, 1);
    /// <summary>Last day free-pass applications are accepted: 2026-05-31, extended through the end of fiscal 2026.</summary>
    public DateOnly FreePassApplicationsUntil { get; set; } = new(2027, 3, 31);
    /// <summary>How often the expiry check runs (the first time at start).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Warn an office when its licence comes within this many days of its end; each threshold once.</summary>
    public int[] WarnDaysBefore { get; set; } = [60, 30];
    /// <summary>An office is told its licence ended when the check finds it ended at most this many days ago.</summary>
    public int ExpiredNoticeDays { get; set; } = 7;
}
