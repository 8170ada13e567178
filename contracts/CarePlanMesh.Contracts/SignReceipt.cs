namespace CarePlanMesh.Contracts;

/// <summary>
/// Request to crypto: sign a receipt with the relay's key. The content is the receipt's JSON (ids, office numbers, file
/// names, sizes, digests, times — no file content). Answered with <see cref="ReceiptSigned"/>.
/// </summary>
public record SignReceipt
{
    public Guid SubmissionId { get; init; }
    /// <summary>One of <see cref="ReceiptKinds"/>.</summary>
    public string Kind { get; init; } = "";
    public byte[] Content { get; init; } = [];
}

/// <summary>The receipt as DER CMS SignedData with attached content, signed by the relay.</summary>
public record ReceiptSigned
{
    public byte[] Cms { get; init; } = [];
}

public static class ReceiptKinds
{
    public const string Received = "received";
    public const string Validated = "validated";
    public const string Acknowledged = "acknowledged";
}
