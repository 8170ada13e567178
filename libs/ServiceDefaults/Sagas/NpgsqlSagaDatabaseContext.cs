using System.Text.Json;
using MassTransit;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Sagas;

/// <summary>One connection and one transaction around the handling of one message by one saga instance.</summary>
public sealed class NpgsqlSagaDatabaseContext<TSaga>(
    NpgsqlConnection connection,
    NpgsqlTransaction transaction,
    NpgsqlSagaRepositoryOptions<TSaga> options) : IAsyncDisposable
    where TSaga : class, ISagaVersion
{
    readonly Dictionary<Guid, string> _loadedStates = [];
    readonly List<(string? Loaded, TSaga Instance)> _written = [];

    public async Task<TSaga?> Load(Guid correlationId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT version, data FROM {options.Table} WHERE correlation_id = @id", connection, transaction);
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

    /// <summary>Inserts the instance; false when an instance with its id is already there.</summary>
    public async Task<bool> Insert(TSaga instance, CancellationToken cancellationToken)
    {
        instance.Version = 1;
        var columns = string.Concat(options.Columns.Select(c => ", " + c.Name));
        var values = string.Concat(options.Columns.Select((_, i) => $", @p{i}"));
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {options.Table} (correlation_id, version, current_state, data{columns})
            VALUES (@id, @version, @state, @data::jsonb{values})
            ON CONFLICT (correlation_id) DO NOTHING
            """, connection, transaction);
        AddParameters(command, instance);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
            return false;
        _written.Add((null, instance));
        return true;
    }

    /// <summary>Writes the instance if nobody else changed it since it was loaded; otherwise <see cref="ConcurrencyException"/>.</summary>
    public async Task Update(TSaga instance, CancellationToken cancellationToken)
    {
        var loadedVersion = instance.Version;
        instance.Version = loadedVersion + 1;
        var sets = string.Concat(options.Columns.Select((c, i) => $", {c.Name} = @p{i}"));
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE {options.Table} SET version = @version, current_state = @state, data = @data::jsonb{sets}
            WHERE correlation_id = @id AND version = @loaded
            """, connection, transaction);
        AddParameters(command, instance);
        command.Parameters.AddWithValue("loaded", loadedVersion);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            instance.Version = loadedVersion;
            throw new ConcurrencyException(
                $"Saga {instance.CorrelationId} in {options.Table} was changed by another consumer (expected version {loadedVersion}).",
                typeof(TSaga), instance.CorrelationId);
        }
        _written.Add((_loadedStates.GetValueOrDefault(instance.CorrelationId), instance));
    }

    public async Task Delete(TSaga instance, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"DELETE FROM {options.Table} WHERE correlation_id = @id AND version = @version", connection, transaction);
        command.Parameters.AddWithValue("id", instance.CorrelationId);
        command.Parameters.AddWithValue("version", instance.Version);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            throw new ConcurrencyException($"Saga {instance.CorrelationId} was changed before it could be deleted.", typeof(TSaga), instance.CorrelationId);
    }

    public async Task Commit(CancellationToken cancellationToken)
    {
        await transaction.CommitAsync(cancellationToken);
        if (options.Committed is { } committed)
            foreach (var (loaded, instance) in _written)
                committed(loaded, instance);
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    void AddParameters(NpgsqlCommand command, TSaga instance)
    {
        command.Parameters.AddWithValue("id", instance.CorrelationId);
        command.Parameters.AddWithValue("version", instance.Version);
        command.Parameters.AddWithValue("state", StateOf(instance));
        command.Parameters.AddWithValue("data", JsonSerializer.Serialize(instance, options.SerializerOptions));
        for (var i = 0; i < options.Columns.Count; i++)
            command.Parameters.Add(new NpgsqlParameter($"p{i}", options.Columns[i].Type) { Value = options.Columns[i].Value(instance) ?? DBNull.Value });
    }

    static string StateOf(TSaga instance) =>
        instance is SagaStateMachineInstance && typeof(TSaga).GetProperty("CurrentState")?.GetValue(instance) is string state ? state : "";
}
