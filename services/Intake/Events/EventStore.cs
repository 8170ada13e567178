using Npgsql;

namespace CarePlanMesh.Intake.Events;

public sealed record OfficeEvent(long Id, string Type, string Data);

/// <summary>
/// Owns intake.office_events. The saga's state changes are written by a trigger in the saga's own transaction (migration
/// 0010); events from other services by <see cref="Add"/>. Each office's ids are handed out in commit order (migration
/// 0017), so reading that office's events "after id N" on any replica misses nothing.
/// </summary>
public sealed class EventStore(NpgsqlDataSource dataSource)
{
    /// <summary>Records an event from a bus message once: a redelivery of the same message adds nothing.</summary>
    public async Task Add(string office, string type, object data, string source, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO intake.office_events (office_number, type, data, source) VALUES (@office, @type, @data::jsonb, @source)
            ON CONFLICT (source, office_number) DO NOTHING
            """);
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("data", System.Text.Json.JsonSerializer.Serialize(data, System.Text.Json.JsonSerializerOptions.Web));
        command.Parameters.AddWithValue("source", source);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OfficeEvent>> After(string office, long after, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, type, data::text FROM intake.office_events WHERE office_number = @office AND id > @after ORDER BY id LIMIT @limit");
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("limit", limit);
        var events = new List<OfficeEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            events.Add(new OfficeEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        return events;
    }

    /// <summary>
    /// The newest id handed out to the office so far: where its stream opened without Last-Event-ID starts. Its own, not the
    /// table's: another office's newer id may be committed while one of this office's older ids is not yet.
    /// </summary>
    public async Task<long> Newest(string office, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT coalesce(max(id), 0) FROM intake.office_events WHERE office_number = @office");
        command.Parameters.AddWithValue("office", office);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<int> Purge(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM intake.office_events WHERE at < now() - @retention");
        command.Parameters.AddWithValue("retention", retention);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
