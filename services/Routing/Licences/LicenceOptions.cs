namespace CarePlanMesh.Routing.Licences;

/// <summary>Configuration section "Licences" (issue #5 §2; the national system's fee and free-pass campaign as defaults).</summary>
public sealed class LicenceOptions
{
    public int AnnualFeeYen { get; set; } = 21_000;
    /// <summary>First day free-pass applications are accepted.</summary>
    public DateOnly FreePassApplicationsFrom { get; set; } = new(2025, 6, 1);
    /// <summary>Last day free-pass applications are accepted: 2026-05-31, extended through the end of fiscal 2026.</summary>
    public DateOnly FreePassApplicationsUntil { get; set; } = new(2027, 3, 31);
}
