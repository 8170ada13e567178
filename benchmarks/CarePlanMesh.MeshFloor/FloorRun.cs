using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace CarePlanMesh.MeshFloor;

/// <summary>The run's settings as the consumers need them, and every finished unit's start and end (Stopwatch timestamps).</summary>
public sealed class FloorRun(FloorOptions options)
{
    readonly Func<Guid, long, object>[] _factories = Enumerable.Range(0, options.Hops)
        .Select(hop => Steps.MessageType(hop))
        .Select(type => (Func<Guid, long, object>)((unit, started) => Activator.CreateInstance(type, unit, started)!))
        .ToArray();

    public FloorOptions Options { get; } = options;

    /// <summary>Random, so that PostgreSQL cannot compress it.</summary>
    public byte[] Row { get; } = RandomNumberGenerator.GetBytes(options.RowBytes);

    public ConcurrentQueue<(long Started, long Finished)> Finished { get; } = new();

    public object Next(int hop, Guid unit, long started) => _factories[hop](unit, started);

    public void Done(long started) => Finished.Enqueue((started, Stopwatch.GetTimestamp()));
}
