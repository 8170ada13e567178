using Npgsql;

namespace CarePlanMesh.Examples.Analytics;

/// <summary>The analytics schema: counts per day and event type, and the message ids already counted (delivery is at least once).</summary>
public sealed class DailyCounts(NpgsqlDataSource dataSource)
{
    static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    public static DateOnly JapanDay(DateTime utc) => DateOnly.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc) + Japan);

    public static async Task CreateSchema(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("""
            CREATE SCHEMA IF NOT EXISTS analytics;
            CREATE TABLE IF NOT EXISTS analytics.daily_counts (
                day   date   NOT NULL,
                event text   NOT NULL,
                count bigint NOT NULL,
                PRIMARY KEY (day, event)
            );
            CREATE TABLE IF NOT EXISTS analytics.counted_messages (
                message_id uuid        PRIMARY KEY,
                counted_at timestamptz NOT NULL DEFAULT now()
            );
            """);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Adds one to the day's count of <paramref name="eventName"/> unless this message was counted before.</summary>
    public async Task Add(Guid messageId, string eventName, DateOnly day, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var seen = new NpgsqlCommand("INSERT INTO analytics.counted_messages (message_id) VALUES (@id) ON CONFLICT DO NOTHING", connection, transaction);
        seen.Parameters.AddWithValue("id", messageId);
        if (await seen.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            await using var count = new NpgsqlCommand("""
                INSERT INTO analytics.daily_counts (day, event, count) VALUES (@day, @event, 1)
                ON CONFLICT (day, event) DO UPDATE SET count = analytics.daily_counts.count + 1
                """, connection, transaction);
            count.Parameters.AddWithValue("day", day);
            count.Parameters.AddWithValue("event", eventName);
            await count.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }
}
