using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Migrations;

/// <summary>
/// Applies the versioned SQL scripts embedded in an assembly (resources ending in NNNN_name.sql) to one schema, in order,
/// each in its own transaction, under a PostgreSQL advisory lock so that replicas starting together apply each once.
/// Applied versions are recorded in &lt;schema&gt;.schema_migrations with a checksum; a changed script is refused.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    public sealed record Script(int Version, string Name, string Sql)
    {
        public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
    }

    public static IReadOnlyList<Script> ScriptsIn(Assembly assembly)
    {
        var scripts = new List<Script>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var fileName = resource.Split('.')[^2];
            var underscore = fileName.IndexOf('_');
            if (underscore <= 0 || !int.TryParse(fileName[..underscore], out var version))
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNNN_name.sql.");
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            scripts.Add(new Script(version, fileName[(underscore + 1)..], reader.ReadToEnd()));
        }
        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two migrations in {assembly.GetName().Name} have version {duplicate.Key}.");
        return scripts.OrderBy(s => s.Version).ToList();
    }

    public async Task<int> MigrateAsync(string schema, IReadOnlyList<Script> scripts, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var lockKey = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("careplanmesh:migrations:" + schema)));
        await Execute(connection, "SELECT pg_advisory_lock(@key)", cancellationToken, ("key", lockKey));
        try
        {
            await Execute(connection, $"""
                CREATE SCHEMA IF NOT EXISTS {schema};
                CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now());
                """, cancellationToken);

            var applied = new Dictionary<int, string>();
            await using (var command = new NpgsqlCommand($"SELECT version, checksum FROM {schema}.schema_migrations", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken))
                    applied[reader.GetInt32(0)] = reader.GetString(1);

            var count = 0;
            foreach (var script in scripts)
            {
                if (applied.TryGetValue(script.Version, out var checksum))
                {
                    if (checksum != script.Checksum)
                        throw new InvalidOperationException(
                            $"Migration {schema} {script.Version:D4}_{script.Name} was changed after it was applied; add a new migration instead.");
                    continue;
                }
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var command = new NpgsqlCommand(script.Sql, connection, transaction))
                    await command.ExecuteNonQueryAsync(cancellationToken);
                await using (var record = new NpgsqlCommand(
                    $"INSERT INTO {schema}.schema_migrations (version, name, checksum) VALUES (@v, @n, @c)", connection, transaction))
                {
                    record.Parameters.AddWithValue("v", script.Version);
                    record.Parameters.AddWithValue("n", script.Name);
                    record.Parameters.AddWithValue("c", script.Checksum);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Schema} {Version:D4}_{Name}", schema, script.Version, script.Name);
                count++;
            }
            return count;
        }
        finally
        {
            await Execute(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", lockKey));
        }
    }

    static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
