namespace CarePlanMesh.Contracts;

/// <summary>Request to routing: registered offices matching every given filter. Answered with <see cref="DirectoryListed"/>.</summary>
public record SearchDirectory
{
    /// <summary>An office number (or its beginning) or a fragment of the office name.</summary>
    public string? Query { get; init; }
    /// <summary>Prefecture code 01–47, the first two digits of the office number.</summary>
    public string? Prefecture { get; init; }
    public string? ServiceType { get; init; }
    public int Limit { get; init; } = 50;
}

public record DirectoryListed
{
    public IReadOnlyList<OfficeListing> Offices { get; init; } = [];
}

/// <summary>What the directory shows of an office: nothing personal, nothing about its licence.</summary>
public record OfficeListing
{
    public string OfficeNumber { get; init; } = "";
    public string Name { get; init; } = "";
    public string Prefecture { get; init; } = "";
    public IReadOnlyList<string> ServiceTypes { get; init; } = [];
    /// <summary>care-management (居宅介護支援, 43), community-support-centre (介護予防支援, 46) or service-provider.</summary>
    public string Kind { get; init; } = "";
}
