using System.Text.Json;
using NpgsqlTypes;

namespace CarePlanMesh.ServiceDefaults.Sagas;

/// <summary>
/// Where and how one saga type is stored. The table has correlation_id uuid PK, version integer, current_state text,
/// data jsonb, plus any projected columns (values computed from the instance on every write, for queries and indexes).
/// The owning service creates the table in its own migrations.
/// </summary>
public sealed class NpgsqlSagaRepositoryOptions<TSaga>
{
    public string Table { get; set; } = "";
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);
    public List<ProjectedColumn> Columns { get; } = [];
    /// <summary>
    /// Called after each commit for every instance the transaction wrote, with the state it was loaded in (null when
    /// inserted): a change the database lost to a concurrency race or a rollback is never reported.
    /// </summary>
    public Action<string?, TSaga>? Committed { get; set; }

    public NpgsqlSagaRepositoryOptions<TSaga> Project(string column, NpgsqlDbType type, Func<TSaga, object?> value)
    {
        Columns.Add(new ProjectedColumn(column, type, value));
        return this;
    }

    public sealed record ProjectedColumn(string Name, NpgsqlDbType Type, Func<TSaga, object?> Value);
}
