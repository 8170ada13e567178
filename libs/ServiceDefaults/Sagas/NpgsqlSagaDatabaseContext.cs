using System.Text.Json;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Sagas;

/// <summary>
/// One connection around the handling of one message by one saga instance, and no explicit transaction: each write is
/// one statement that commits by itself. An update or delete is held until <see cref="Commit"/> and sent then, so a
/// handler that fails before it writes nothing, and the write and its commit take one round trip. That matters beyond
/// the round trip: the saga table's trigger appends to the office event stream under a lock held to the commit
/// (migration 0010), which a commit sent as a second round trip would keep for as long as the process takes to send it.
/// </summary>
public sealed class NpgsqlSagaDatabaseContext<TSaga>(
    NpgsqlConnection connection,
    NpgsqlSagaRepositoryOptions<TSaga> options) : IAsyncDisposable
    where TSaga : class, ISagaVersion
{
    readonly Dictionary<Guid, string> _loadedStates = [];
    readonly List<(string? Loaded, TSaga Instance)> _written = [];
    Func<CancellationToken, Task>? _pending;

    public async Task<TSaga?> Load(Guid correlationId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT version, data FROM {options.Table} WHERE correlation_id = @id", connection);
        command.Parameters.AddWithValue("id", correlationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        var instance = JsonSerializer.Deserialize<TSaga>(reader.GetString(1), options.SerializerOptions)
            ?? throw new InvalidOperationException($"Saga {correlationId} in {options.Table} has empty data.");
        instance.Version = reader.GetInt32(0);
        _loadedStates[correlationId] = StateOf(instance);
        return instance;
    }

    /// <summary>Inserts the instance at once (committed when this returns); false when an instance with its id is already there.</summary>
    public Task<bool> Insert(TSaga instance, CancellationToken cancellationToken) => Insert(instance, [], cancellationToken);

    /// <summary>
    /// Inserts the instance at once, in one batch after <paramref name="alongside"/>: PostgreSQL runs a batch as one
    /// implicit transaction, so those statements commit with the insert, in one commit and one round trip, or fail
    /// with it. They are not undone when the instance is already there (false).
    /// </summary>
    public async Task<bool> Insert(TSaga instance, IReadOnlyList<NpgsqlBatchCommand> alongside, CancellationToken cancellationToken)
    {
        instance.Version = 1;
        var columns = string.Concat(options.Columns.Select(c => ", " + c.Name));
        var values = string.Concat(options.Columns.Select((_, i) => $", @p{i}"));
        var insert = new NpgsqlBatchCommand(
            $"""
            INSERT INTO {options.Table} (correlation_id, version, current_state, data{columns})
            VALUES (@id, @version, @state, @data::jsonb{values})
            ON CONFLICT (correlation_id) DO NOTHING
            """);
        AddParameters(insert.Parameters, instance);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var command in alongside)
            batch.BatchCommands.Add(command);
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        if (insert.RecordsAffected != 1)
            return false;
        _written.Add((null, instance));
        return true;
    }

    /// <summary>
    /// Writes the instance at <see cref="Commit"/> if nobody else changed it since it was loaded; otherwise the commit
    /// throws <see cref="ConcurrencyException"/>.
    /// </summary>
    public Task Update(TSaga instance)
    {
        var loadedVersion = instance.Version;
        Hold(async ct =>
        {
            instance.Version = loadedVersion + 1;
            var sets = string.Concat(options.Columns.Select((c, i) => $", {c.Name} = @p{i}"));
            await using var command = new NpgsqlCommand(
                $"""
                UPDATE {options.Table} SET version = @version, current_state = @state, data = @data::jsonb{sets}
                WHERE correlation_id = @id AND version = @loaded
                """, connection);
            AddParameters(command.Parameters, instance);
            command.Parameters.AddWithValue("loaded", loadedVersion);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                instance.Version = loadedVersion;
                throw new ConcurrencyException(
                    $"Saga {instance.CorrelationId} in {options.Table} was changed by another consumer (expected version {loadedVersion}).",
                    typeof(TSaga), instance.CorrelationId);
            }
            _written.Add((_loadedStates.GetValueOrDefault(instance.CorrelationId), instance));
        });
        return Task.CompletedTask;
    }

    /// <summary>Deletes the instance at <see cref="Commit"/> if nobody else changed it; otherwise the commit throws <see cref="ConcurrencyException"/>.</summary>
    public Task Delete(TSaga instance)
    {
        Hold(async ct =>
        {
            await using var command = new NpgsqlCommand($"DELETE FROM {options.Table} WHERE correlation_id = @id AND version = @version", connection);
            command.Parameters.AddWithValue("id", instance.CorrelationId);
            command.Parameters.AddWithValue("version", instance.Version);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
                throw new ConcurrencyException($"Saga {instance.CorrelationId} was changed before it could be deleted.", typeof(TSaga), instance.CorrelationId);
        });
        return Task.CompletedTask;
    }

    /// <summary>Sends the held update or delete, then reports every write to <see cref="NpgsqlSagaRepositoryOptions{TSaga}.Committed"/>.</summary>
    public async Task Commit(CancellationToken cancellationToken)
    {
        if (_pending is { } write)
        {
            _pending = null;
            await write(cancellationToken);
        }
        if (options.Committed is { } committed)
            foreach (var (loaded, instance) in _written)
                committed(loaded, instance);
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();

    /// <summary>One message writes one instance once (MassTransit's saga pipeline): a second held write is a programming error.</summary>
    void Hold(Func<CancellationToken, Task> write) =>
        _pending = _pending is null ? write : throw new InvalidOperationException($"A second write to {options.Table} in one message; each message writes its saga once.");

    void AddParameters(NpgsqlParameterCollection parameters, TSaga instance)
    {
        parameters.AddWithValue("id", instance.CorrelationId);
        parameters.AddWithValue("version", instance.Version);
        parameters.AddWithValue("state", StateOf(instance));
        parameters.AddWithValue("data", JsonSerializer.Serialize(instance, options.SerializerOptions));
        for (var i = 0; i < options.Columns.Count; i++)
            parameters.Add(new NpgsqlParameter($"p{i}", options.Columns[i].Type) { Value = options.Columns[i].Value(instance) ?? DBNull.Value });
    }

    static string StateOf(TSaga instance) =>
        instance is SagaStateMachineInstance && typeof(TSaga).GetProperty("CurrentState")?.GetValue(instance) is string state ? state : "";
}
