namespace CarePlanMesh.Contracts;

/// <summary>One file of a send unit. File names carry office numbers and timestamps only, never personal data.</summary>
public record SubmittedFile
{
    public string Name { get; init; } = "";
    /// <summary>The file kind of the standard (layouts.json "kind"), e.g. plan6, table7, supplement.</summary>
    public string Kind { get; init; } = "";
    public long Size { get; init; }
    /// <summary>Lower-case hex SHA-256 of the file's bytes.</summary>
    public string Sha256 { get; init; } = "";
    /// <summary>The sender uploaded the file with its own CMS signature (name.p7m); the relay checked it before sealing.</summary>
    public bool SenderSigned { get; init; }
}
