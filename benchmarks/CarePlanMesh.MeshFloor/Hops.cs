using System.Diagnostics;
using MassTransit;
using Npgsql;
using NpgsqlTypes;

namespace CarePlanMesh.MeshFloor;

/// <summary>One hop of a unit: a message type of its own per step, so each has its exchange and queue as a mesh message has.</summary>
public sealed record Hop<TStep>(Guid Unit, long Started);

#pragma warning disable CA1812 // marker types, named only as type arguments
public sealed class S1; public sealed class S2; public sealed class S3; public sealed class S4;
public sealed class S5; public sealed class S6; public sealed class S7; public sealed class S8;
public sealed class S9; public sealed class S10; public sealed class S11; public sealed class S12;
public sealed class S13; public sealed class S14; public sealed class S15; public sealed class S16;
#pragma warning restore CA1812

public static class Steps
{
    public static readonly Type[] Markers =
    [
        typeof(S1), typeof(S2), typeof(S3), typeof(S4), typeof(S5), typeof(S6), typeof(S7), typeof(S8),
        typeof(S9), typeof(S10), typeof(S11), typeof(S12), typeof(S13), typeof(S14), typeof(S15), typeof(S16),
    ];

    public static int IndexOf(Type marker) => Array.IndexOf(Markers, marker);

    public static Type MessageType(int hop) => typeof(Hop<>).MakeGenericType(Markers[hop]);

    public static Type ConsumerType(int hop) => typeof(HopConsumer<>).MakeGenericType(Markers[hop]);

    /// <summary>The first hop's message, which the driver publishes as intake publishes a submission's first command.</summary>
    public static Hop<S1> First(Guid unit) => new(unit, Stopwatch.GetTimestamp());
}

/// <summary>
/// A service's share of the work with the work taken out: its transactions (one INSERT or one SELECT each, autocommit, as
/// most of the mesh's are) and the publish of the next hop, sent by the in-memory outbox when the consumer has finished, as the
/// services' are. The last hop records the unit as done.
/// </summary>
public sealed class HopConsumer<TStep>(NpgsqlDataSource database, FloorRun run) : IConsumer<Hop<TStep>>
{
    static readonly int Index = Steps.IndexOf(typeof(TStep));

    public async Task Consume(ConsumeContext<Hop<TStep>> context)
    {
        for (var i = 0; i < run.Options.CommitsAt(Index); i++)
        {
            await using var command = database.CreateCommand("INSERT INTO mesh_floor.rows (unit, hop, body) VALUES ($1, $2, $3)");
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = context.Message.Unit });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Index });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = run.Row, NpgsqlDbType = NpgsqlDbType.Bytea });
            await command.ExecuteNonQueryAsync(context.CancellationToken);
        }
        for (var i = 0; i < run.Options.ReadsAt(Index); i++)
        {
            await using var command = database.CreateCommand("SELECT body FROM mesh_floor.rows WHERE id = 1");
            await command.ExecuteScalarAsync(context.CancellationToken);
        }
        if (Index + 1 < run.Options.Hops)
        {
            var (next, type) = run.Next(Index + 1, context.Message.Unit, context.Message.Started);
            await context.Publish(next, type, context.CancellationToken);
        }
        else
            run.Done(context.Message.Started);
    }
}
