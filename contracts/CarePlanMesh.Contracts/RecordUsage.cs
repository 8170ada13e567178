namespace CarePlanMesh.Contracts;

/// <summary>Command to billing-reconciliation: count the files of a delivered send unit for its sender and service month.</summary>
public record RecordUsage
{
    public Guid SubmissionId { get; init; }
    public string SenderOffice { get; init; } = "";
    public string RecipientOffice { get; init; } = "";
    /// <summary>YYYYMM taken from the file names, or null for kinds without a month (plans).</summary>
    public string? ServiceMonth { get; init; }
    public IReadOnlyList<string> FileKinds { get; init; } = [];
}
