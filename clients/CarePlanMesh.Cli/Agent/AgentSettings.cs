using System.Security.Cryptography.X509Certificates;

namespace CarePlanMesh.Cli.Agent;

/// <summary>What `cpm agent` was started with; <see cref="Relay"/> is every relay signing certificate it trusts (old and new during a renewal).</summary>
public sealed record AgentSettings(
    Uri Url,
    X509Certificate2 Certificate,
    X509Certificate2 Ca,
    IReadOnlyList<X509Certificate2> Relay,
    string UserFile,
    string Outbox,
    string Inbox,
    string Data,
    TimeSpan Quiet,
    TimeSpan IncompleteAfter,
    TimeSpan Poll,
    TimeSpan LongWait,
    int Port)
{
    public string SentFolder => Path.Combine(Outbox, "sent");
    public string FailedFolder => Path.Combine(Outbox, "failed");
    public string Packages => Path.Combine(Data, "packages");
    /// <summary>Where a delivery's files are written before they appear in the inbox in one move; inside the inbox so that the move stays on one volume.</summary>
    public string InboxPartial => Path.Combine(Inbox, ".careplanmesh-partial");
}
