using CarePlanMesh.Contracts;
using MassTransit;

namespace CarePlanMesh.Intake.Submissions.StateMachines;

/// <summary>One submitted send unit on its way from sender to recipient. Holds ids, office numbers and digests, never file content.</summary>
public class SubmissionState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public int Version { get; set; }
    public string CurrentState { get; set; } = "";

    public string SenderOffice { get; set; } = "";
    public string? SenderServiceType { get; set; }
    public string RecipientOffice { get; set; } = "";
    public string? RecipientServiceType { get; set; }
    /// <summary>The 14-digit ファイル連番 shared by the files.</summary>
    public string SendUnit { get; set; } = "";
    public string? ServiceMonth { get; set; }
    public List<SubmittedFile> Files { get; set; } = [];
    public DateTimeOffset ReceivedAt { get; set; }

    public Uri? PayloadAddress { get; set; }
    public Uri? SealedPackageAddress { get; set; }
    public long? SealedBytes { get; set; }
    public string? SealedSha256 { get; set; }
    public Uri? DefectReportAddress { get; set; }
    public int? RecordCount { get; set; }
    public int? ErrorCount { get; set; }
    public int? WarningCount { get; set; }

    /// <summary>When the current step must have answered, or when the pickup period ends. Swept from the database.</summary>
    public DateTimeOffset? Deadline { get; set; }
    /// <summary>How often the current step was re-driven after its deadline.</summary>
    public int Attempts { get; set; }

    public string? FailureReason { get; set; }
    public string? FailureReasonJa { get; set; }
    public string? FailureReasonEn { get; set; }

    /// <summary>SHA-256 over the files' names and digests: the same content sent again is a duplicate.</summary>
    public string ContentDigest { get; set; } = "";
    /// <summary>When the recipient first downloaded the sealed package; a withdrawal can no longer overtake it.</summary>
    public DateTimeOffset? PickedUpAt { get; set; }
    /// <summary>A unit with a higher 連番 from the same sender had already been delivered to the recipient.</summary>
    public bool OutOfOrder { get; set; }
    public string? LatestSendUnit { get; set; }
    /// <summary>When the submission reached a final state; retention counts from here.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    public List<TimelineEntry> Timeline { get; set; } = [];

    /// <summary>The W3C traceparent of the request that submitted it: the sweeper's re-drives continue that trace.</summary>
    public string? TraceParent { get; set; }
}

public record TimelineEntry(string State, DateTimeOffset At);
