using CarePlanMesh.ServiceDefaults.Migrations;
using CarePlanMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CarePlanMesh.Intake.Tests;

/// <summary>
/// The backup and restore runbook of docs/operations.md, on real PostgreSQL with intake's real migrations: pg_dump of one
/// schema, the damaged schema set aside, pg_restore, and the data and the migrations table are back as they were.
/// </summary>
public sealed class SchemaBackupTests
{
    [Fact]
    public async Task A_schema_dumped_with_pg_dump_and_restored_with_pg_restore_has_its_rows_and_migrations_back()
    {
        var infrastructure = await Infrastructure.GetAsync();
        var connectionString = await infrastructure.CreateDatabaseAsync("backup");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var migrator = new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance);
        var scripts = SchemaMigrator.ScriptsIn(typeof(IntakeApplication).Assembly);
        await migrator.MigrateAsync("intake", scripts, CancellationToken.None);
        await Execute(dataSource, """
            INSERT INTO intake.staff (user_id, office_number, password_hash) VALUES ('ID000000000001', '0300000100', 'pbkdf2$hash');
            INSERT INTO intake.access_tokens (token_hash, user_id, office_number, thumbprint, expires_at)
                VALUES ('sha256-of-token', 'ID000000000001', '0300000100', 'thumbprint', now() + interval '15 minutes');
            """);
        var before = await Snapshot(dataSource);
        var dump = Path.Combine(Directory.CreateTempSubdirectory("careplanmesh-backup-").FullName, "intake.dump");
        var libpq = Libpq(connectionString);

        // The runbook's commands, as written there.
        await Must("pg_dump", "--format=custom", "--schema=intake", $"--file={dump}", libpq);
        await Execute(dataSource, "DELETE FROM intake.access_tokens; UPDATE intake.staff SET failed_attempts = 99;");
        await Execute(dataSource, "ALTER SCHEMA intake RENAME TO intake_before_restore");
        await Must("pg_restore", "--exit-on-error", "--single-transaction", $"--dbname={libpq}", dump);

        Assert.Equal(before, await Snapshot(dataSource));
        // The restored migrations table matches the scripts: the service's next start applies nothing and refuses nothing.
        Assert.Equal(0, await migrator.MigrateAsync("intake", scripts, CancellationToken.None));
        Assert.Equal(99, await Scalar<int>(dataSource, "SELECT failed_attempts FROM intake_before_restore.staff"));
    }

    /// <summary>The applied migrations and every row of the tables the test wrote, as text.</summary>
    static async Task<string> Snapshot(NpgsqlDataSource dataSource) => string.Join("\n",
        await Scalar<string>(dataSource, "SELECT string_agg(version || ' ' || name || ' ' || checksum, ',' ORDER BY version) FROM intake.schema_migrations"),
        await Scalar<string>(dataSource, "SELECT string_agg(s::text, ',' ORDER BY user_id) FROM intake.staff s"),
        await Scalar<string>(dataSource, "SELECT string_agg(t::text, ',' ORDER BY token_hash) FROM intake.access_tokens t"));

    static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    static async Task<T> Scalar<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The Npgsql connection string as a libpq one (pg_dump, pg_restore).</summary>
    static string Libpq(string npgsql)
    {
        var builder = new NpgsqlConnectionStringBuilder(npgsql);
        var password = string.IsNullOrEmpty(builder.Password) ? "" : $" password={builder.Password}";
        return $"host={builder.Host} port={builder.Port} user={builder.Username} dbname={builder.Database}{password}";
    }

    /// <summary>Runs a PostgreSQL client program of the newest installed version and fails with its output unless it succeeds.</summary>
    static async Task Must(string program, params string[] arguments)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", program)).Where(File.Exists).OrderDescending().FirstOrDefault()
            : null;
        var start = new System.Diagnostics.ProcessStartInfo(bin ?? program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
    }
}
