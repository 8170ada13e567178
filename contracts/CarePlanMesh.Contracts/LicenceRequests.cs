namespace CarePlanMesh.Contracts;

/// <summary>Request to routing: an office's licence status. Answered with <see cref="LicenceAnswer"/>.</summary>
public record GetLicence
{
    public string Office { get; init; } = "";
}

/// <summary>Request to routing: apply for the free pass (one year free from today, within the application window).</summary>
public record ApplyFreePass
{
    public string Office { get; init; } = "";
}

public static class LicenceKinds
{
    public const string Annual = "annual";
    public const string FreePass = "free-pass";
}

public record LicenceAnswer
{
    public string Office { get; init; } = "";
    /// <summary>True when a licence or free pass covers today.</summary>
    public bool Valid { get; init; }
    /// <summary>The last day the relay carries the office's files, when valid.</summary>
    public DateOnly? ValidUntil { get; init; }
    public IReadOnlyList<LicenceView> Licences { get; init; } = [];
    public DateOnly FreePassApplicationsFrom { get; init; }
    public DateOnly FreePassApplicationsUntil { get; init; }
    public int AnnualFeeYen { get; init; }
    public Refusal? Refusal { get; init; }
}

public record LicenceView
{
    public Guid Id { get; init; }
    public string Kind { get; init; } = "";
    public DateOnly ValidFrom { get; init; }
    public DateOnly ValidTo { get; init; }
    public int FeeYen { get; init; }
}
