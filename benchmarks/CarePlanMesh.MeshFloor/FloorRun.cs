using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace CarePlanMesh.MeshFloor;

/// <summary>The run's settings as the consumers need them, and every finished unit's start and end (Stopwatch timestamps).</summary>
public sealed class FloorRun(FloorOptions options)
{
    /// <summary>Each hop's message type, made once: the consumers publish through them on the measured path.</summary>
    readonly Type[] _messageTypes = Enumerable.Range(0, options.Hops).Select(Steps.MessageType).ToArray();

    public FloorOptions Options { get; } = options;

    /// <summary>Random, so that PostgreSQL cannot compress it.</summary>
    public byte[] Row { get; } = RandomNumberGenerator.GetBytes(options.RowBytes);

    public ConcurrentQueue<(long Started, long Finished)> Finished { get; } = new();

    /// <summary>Hop <paramref name="hop"/>'s message for the unit, and the type to publish it as.</summary>
    public (object Message, Type Type) Next(int hop, Guid unit, long started) =>
        (Activator.CreateInstance(_messageTypes[hop], unit, started)!, _messageTypes[hop]);

    public void Done(long started) => Finished.Enqueue((started, Stopwatch.GetTimestamp()));
}
