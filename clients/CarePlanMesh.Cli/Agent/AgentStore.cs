using Microsoft.Data.Sqlite;

namespace CarePlanMesh.Cli.Agent;

/// <summary>States of a send unit in the outbox. Each step is written before the agent acts on it, so a restart resumes it.</summary>
public static class UnitStates
{
    /// <summary>Checked and about to be posted with its Idempotency-Key; posting again after a crash returns the same submission.</summary>
    public const string Sending = "sending";
    /// <summary>The relay accepted it; its files are moving to outbox/sent/.</summary>
    public const string Submitted = "submitted";
    /// <summary>In outbox/sent/, waiting for the recipient's acknowledgement.</summary>
    public const string Sent = "sent";
    public const string Acknowledged = "acknowledged";
    /// <summary>Refused (offline or by the relay); its files are moving to outbox/failed/ with the report.</summary>
    public const string Failing = "failing";
    public const string Failed = "failed";
}

/// <summary>States of a delivery in the inbox, in the order they happen.</summary>
public static class DeliveryStates
{
    public const string Known = "known";
    /// <summary>The sealed package is saved in the data folder.</summary>
    public const string Downloaded = "downloaded";
    /// <summary>Its files are being written to the folder named in the row.</summary>
    public const string Importing = "importing";
    /// <summary>Its files are in the inbox; the acknowledgement is due.</summary>
    public const string Imported = "imported";
    /// <summary>The relay took the acknowledgement; its signed receipt is due beside the files.</summary>
    public const string Acknowledged = "acknowledged";
    /// <summary>The relay's signed receipt of the acknowledgement is saved beside the files: nothing more to do.</summary>
    public const string Receipted = "receipted";
    /// <summary>The package did not open or did not verify: never imported, never acknowledged.</summary>
    public const string Refused = "refused";
}

public sealed record UnitRow(long Id, string UnitKey, string SendUnit, string State, string IdempotencyKey, IReadOnlyList<string> Files,
    Guid? SubmissionId, string? Folder, string? Target, string? Report);

public sealed record DeliveryRow(Guid Id, string SenderOffice, string SendUnit, string State, string? Folder);

/// <summary>The agent's local state: one SQLite file in its data folder (WAL, synchronous FULL, one transaction per step).</summary>
public sealed class AgentStore
{
    readonly string _connectionString;

    public AgentStore(string dataFolder)
    {
        Directory.CreateDirectory(dataFolder);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataFolder, "agent.db"), Pooling = true }.ToString();
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS units (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                unit_key TEXT NOT NULL,
                send_unit TEXT NOT NULL,
                state TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                files TEXT NOT NULL,
                submission_id TEXT,
                folder TEXT,
                target TEXT,
                report TEXT,
                updated_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS units_state ON units (state);
            CREATE TABLE IF NOT EXISTS deliveries (
                id TEXT PRIMARY KEY,
                sender_office TEXT NOT NULL,
                send_unit TEXT NOT NULL,
                state TEXT NOT NULL,
                folder TEXT,
                updated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """);
    }

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // FULL: a step the agent has acted on survives a power cut as well as a killed process.
        Execute(connection, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
        return connection;
    }

    static void Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        Execute(connection, sql, parameters);
    }

    static string Now() => DateTimeOffset.UtcNow.ToString("O");

    // Units of the outbox.

    public UnitRow AddUnit(string unitKey, string sendUnit, string state, IReadOnlyList<string> files, string? target = null, string? report = null)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO units (unit_key, send_unit, state, idempotency_key, files, target, report, updated_at)
            VALUES ($key, $unit, $state, $idempotency, $files, $target, $report, $now) RETURNING id
            """;
        var idempotencyKey = Guid.NewGuid().ToString();
        command.Parameters.AddWithValue("$key", unitKey);
        command.Parameters.AddWithValue("$unit", sendUnit);
        command.Parameters.AddWithValue("$state", state);
        command.Parameters.AddWithValue("$idempotency", idempotencyKey);
        command.Parameters.AddWithValue("$files", string.Join('\n', files));
        command.Parameters.AddWithValue("$target", (object?)target ?? DBNull.Value);
        command.Parameters.AddWithValue("$report", (object?)report ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", Now());
        var id = (long)command.ExecuteScalar()!;
        return new UnitRow(id, unitKey, sendUnit, state, idempotencyKey, files, null, null, target, report);
    }

    public void Submitted(long id, Guid submissionId, string folder) =>
        Execute("UPDATE units SET state = $state, submission_id = $submission, folder = $folder, updated_at = $now WHERE id = $id",
            ("$state", UnitStates.Submitted), ("$submission", submissionId.ToString()), ("$folder", folder), ("$now", Now()), ("$id", id));

    public void Failing(long id, string target, string report) =>
        Execute("UPDATE units SET state = $state, target = $target, report = $report, updated_at = $now WHERE id = $id",
            ("$state", UnitStates.Failing), ("$target", target), ("$report", report), ("$now", Now()), ("$id", id));

    public void SetUnitState(long id, string state, string? folder = null) =>
        Execute("UPDATE units SET state = $state, folder = COALESCE($folder, folder), updated_at = $now WHERE id = $id",
            ("$state", state), ("$folder", folder), ("$now", Now()), ("$id", id));

    public IReadOnlyList<UnitRow> Units(params string[] states)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, unit_key, send_unit, state, idempotency_key, files, submission_id, folder, target, report FROM units WHERE state IN ({string.Join(',', states.Select((_, i) => $"$s{i}"))}) ORDER BY id";
        for (var i = 0; i < states.Length; i++)
            command.Parameters.AddWithValue($"$s{i}", states[i]);
        using var reader = command.ExecuteReader();
        var rows = new List<UnitRow>();
        while (reader.Read())
            rows.Add(new UnitRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5).Split('\n', StringSplitOptions.RemoveEmptyEntries),
                reader.IsDBNull(6) ? null : Guid.Parse(reader.GetString(6)), Text(reader, 7), Text(reader, 8), Text(reader, 9)));
        return rows;
    }

    static string? Text(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    // Deliveries of the inbox.

    public void AddDelivery(Guid id, string senderOffice, string sendUnit) =>
        Execute("INSERT INTO deliveries (id, sender_office, send_unit, state, updated_at) VALUES ($id, $sender, $unit, $state, $now) ON CONFLICT (id) DO NOTHING",
            ("$id", id.ToString()), ("$sender", senderOffice), ("$unit", sendUnit), ("$state", DeliveryStates.Known), ("$now", Now()));

    public void SetDeliveryState(Guid id, string state, string? folder = null) =>
        Execute("UPDATE deliveries SET state = $state, folder = COALESCE($folder, folder), updated_at = $now WHERE id = $id",
            ("$state", state), ("$folder", folder), ("$now", Now()), ("$id", id.ToString()));

    public DeliveryRow? Delivery(Guid id) => Deliveries("id = $id", ("$id", id.ToString())).SingleOrDefault();

    public IReadOnlyList<DeliveryRow> DeliveriesIn(params string[] states) =>
        Deliveries($"state IN ({string.Join(',', states.Select((_, i) => $"$s{i}"))})", [.. states.Select((s, i) => ($"$s{i}", (object?)s))]);

    IReadOnlyList<DeliveryRow> Deliveries(string where, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, sender_office, send_unit, state, folder FROM deliveries WHERE {where} ORDER BY sender_office, send_unit";
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        using var reader = command.ExecuteReader();
        var rows = new List<DeliveryRow>();
        while (reader.Read())
            rows.Add(new DeliveryRow(Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3), Text(reader, 4)));
        return rows;
    }

    // Settings: the event stream's last id.

    public string? Setting(string key)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM settings WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    public void SetSetting(string key, string value) =>
        Execute("INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("$key", key), ("$value", value));
}
