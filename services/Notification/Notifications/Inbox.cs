using System.Text;
using CarePlanMesh.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace CarePlanMesh.Notification.Notifications;

/// <summary>An office's notifications, newest first, paged by an opaque cursor; and their read state.</summary>
public sealed class Inbox(NpgsqlDataSource dataSource, TimeProvider clock)
{
    const string Columns = "id, topic, created_at, read_at, data::text";

    public async Task<NotificationsListed> List(ListNotifications request, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(request.Limit, 1, 200);
        (DateTimeOffset At, Guid Id)? after = null;
        if (request.After is { Length: > 0 } cursor)
        {
            if (Decode(cursor) is not { } decoded)
                return new NotificationsListed
                {
                    Refusal = new Refusal { Status = 400, Reason = "bad-cursor", ReasonEn = "The cursor is not one this list handed out; start again without it.", ReasonJa = "cursor が正しくありません。cursor なしで最初から取得し直してください。" },
                };
            after = decoded;
        }
        await using var list = dataSource.CreateCommand(
            $"""
            SELECT {Columns} FROM notification.notifications
            WHERE office_number = @office AND (NOT @unread OR read_at IS NULL)
              AND (@afterAt IS NULL OR (created_at, id) < (@afterAt, @afterId))
            ORDER BY created_at DESC, id DESC
            LIMIT @limit
            """);
        list.Parameters.AddWithValue("office", request.Office);
        list.Parameters.AddWithValue("unread", request.UnreadOnly);
        list.Parameters.Add(new NpgsqlParameter("afterAt", NpgsqlDbType.TimestampTz) { Value = after is { } a ? a.At : DBNull.Value });
        list.Parameters.Add(new NpgsqlParameter("afterId", NpgsqlDbType.Uuid) { Value = after is { } b ? b.Id : DBNull.Value });
        list.Parameters.AddWithValue("limit", limit + 1);
        var items = await Read(list, cancellationToken);
        var page = items.Take(limit).ToList();
        return new NotificationsListed { Items = page, Next = items.Count > limit ? Encode(page[^1]) : null };
    }

    public async Task<NotificationView?> MarkRead(string office, Guid id, CancellationToken cancellationToken)
    {
        await using var mark = dataSource.CreateCommand(
            $"UPDATE notification.notifications SET read_at = coalesce(read_at, @at) WHERE id = @id AND office_number = @office RETURNING {Columns}");
        mark.Parameters.AddWithValue("at", clock.GetUtcNow());
        mark.Parameters.AddWithValue("id", id);
        mark.Parameters.AddWithValue("office", office);
        return (await Read(mark, cancellationToken)).SingleOrDefault();
    }

    static async Task<List<NotificationView>> Read(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var views = new List<NotificationView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            views.Add(new NotificationView
            {
                Id = reader.GetGuid(0),
                Topic = Topics.FromCommand(reader.GetString(1)),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(2),
                ReadAt = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                Data = reader.GetString(4),
            });
        return views;
    }

    static string Encode(NotificationView last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.CreatedAt.UtcTicks}:{last.Id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static (DateTimeOffset, Guid)? Decode(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/') + new string('=', (4 - cursor.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            return parts.Length == 2 && long.TryParse(parts[0], out var ticks) && Guid.TryParseExact(parts[1], "N", out var id)
                ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
