using System.Net.Mail;
using CarePlanMesh.Contracts;
using Npgsql;

namespace CarePlanMesh.Notification.Notifications;

/// <summary>An office's e-mail address and the topics it wants by e-mail (the default set until it chooses).</summary>
public sealed class Preferences(NpgsqlDataSource dataSource)
{
    public async Task<NotificationPreferences> Get(string office, CancellationToken cancellationToken)
    {
        await using var select = dataSource.CreateCommand(
            """
            SELECT (SELECT email FROM notification.offices WHERE office_number = @office),
                   (SELECT email_topics FROM notification.preferences WHERE office_number = @office)
            """);
        select.Parameters.AddWithValue("office", office);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new NotificationPreferences
        {
            Office = office,
            Email = reader.IsDBNull(0) ? null : reader.GetString(0),
            EmailTopics = reader.IsDBNull(1) ? Topics.EmailDefaults : reader.GetFieldValue<string[]>(1),
        };
    }

    public async Task<NotificationPreferences> Set(SetNotificationPreferences request, CancellationToken cancellationToken)
    {
        var unknown = request.EmailTopics.Where(t => !Topics.All.Contains(t)).ToList();
        if (unknown.Count > 0)
            return Refused("notification-topics", $"Unknown topics: {string.Join(", ", unknown)} (docs/notifications.md lists them).",
                $"不明なトピック: {string.Join(", ", unknown)}（docs/notifications.md を参照してください）");
        if (request.Email is { } email && !MailAddress.TryCreate(email, out _))
            return Refused("email", "The e-mail address is not valid.", "メールアドレスの形式が正しくありません。");

        await using var upsert = dataSource.CreateCommand(
            """
            INSERT INTO notification.preferences (office_number, email_topics) VALUES (@office, @topics)
            ON CONFLICT (office_number) DO UPDATE SET email_topics = EXCLUDED.email_topics;
            INSERT INTO notification.offices (office_number, email) SELECT @office, @email WHERE @email IS NOT NULL
            ON CONFLICT (office_number) DO UPDATE SET email = EXCLUDED.email;
            """);
        upsert.Parameters.AddWithValue("office", request.Office);
        upsert.Parameters.AddWithValue("topics", request.EmailTopics.Distinct().ToArray());
        upsert.Parameters.Add(new NpgsqlParameter("email", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)request.Email ?? DBNull.Value });
        await upsert.ExecuteNonQueryAsync(cancellationToken);
        return await Get(request.Office, cancellationToken);
    }

    static NotificationPreferences Refused(string reason, string en, string ja) =>
        new() { Refusal = new Refusal { Status = 422, Reason = reason, ReasonEn = en, ReasonJa = ja } };
}
