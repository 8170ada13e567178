using CarePlanMesh.Contracts;
using CarePlanMesh.Routing.Licences;
using CarePlanMesh.Routing.Partnerships;
using Npgsql;

namespace CarePlanMesh.Routing.Directory;

/// <summary>The registered offices, the directory search, and the routing decision between two offices.</summary>
public sealed class OfficeDirectory(NpgsqlDataSource dataSource, LicenceBook licences)
{
    public async Task Register(string officeNumber, string name, IReadOnlyList<string> serviceTypes, string? contactEmail, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO routing.offices (office_number, name, service_types, contact_email) VALUES (@office, @name, @types, @email)
            ON CONFLICT (office_number) DO UPDATE SET name = excluded.name, service_types = excluded.service_types,
                contact_email = COALESCE(excluded.contact_email, routing.offices.contact_email)
            """);
        command.Parameters.AddWithValue("office", officeNumber);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("types", serviceTypes.ToArray());
        command.Parameters.Add(new NpgsqlParameter<string?>("email", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = contactEmail });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> IsRegistered(string officeNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT 1 FROM routing.offices WHERE office_number = @office");
        command.Parameters.AddWithValue("office", officeNumber);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Offices matching every given filter: number prefix or name fragment, prefecture (01–47), service type.</summary>
    public async Task<IReadOnlyList<OfficeListing>> Search(SearchDirectory search, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT office_number, name, service_types FROM routing.offices
            WHERE (@q IS NULL OR office_number LIKE @q || '%' OR name ILIKE '%' || @q || '%')
              AND (@prefecture IS NULL OR left(office_number, 2) = @prefecture)
              AND (@type IS NULL OR @type = ANY (service_types))
            ORDER BY office_number
            LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter<string?>("q", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = Blank(search.Query)?.Replace("%", "").Replace("_", "") });
        command.Parameters.Add(new NpgsqlParameter<string?>("prefecture", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = Blank(search.Prefecture) });
        command.Parameters.Add(new NpgsqlParameter<string?>("type", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = Blank(search.ServiceType) });
        command.Parameters.AddWithValue("limit", Math.Clamp(search.Limit, 1, 200));
        var offices = new List<OfficeListing>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            offices.Add(new OfficeListing
            {
                OfficeNumber = reader.GetString(0),
                Name = reader.GetString(1),
                Prefecture = reader.GetString(0)[..2],
                ServiceTypes = reader.GetFieldValue<string[]>(2),
                Kind = KindOf(reader.GetFieldValue<string[]>(2)),
            });
        return offices;
    }

    /// <summary>What an office is follows from its service types: the care manager's 43, the 地域包括支援センター's 46, else a provider.</summary>
    public static string KindOf(IReadOnlyList<string> serviceTypes) =>
        serviceTypes.Contains("43") ? "care-management" : serviceTypes.Contains("46") ? "community-support-centre" : "service-provider";

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>
    /// May <paramref name="sender"/> send to <paramref name="recipient"/>? Both registered and distinct, an active
    /// partnership between them, and a licence or free pass covering today for each. Asked twice per submission (intake's
    /// check before it stores, routing's before it places), so everything it needs is read in one statement.
    /// </summary>
    public async Task<RouteChecked> Check(string sender, string recipient, CancellationToken cancellationToken)
    {
        if (sender == recipient)
            return Refuse(422, "same-office", $"送信元と送信先が同じ事業所番号（{sender}）です。同一事業所番号間では送信できません。",
                $"Sender and recipient are the same office number ({sender}); an office cannot send to itself.");

        await using var command = dataSource.CreateCommand(
            $"""
            SELECT EXISTS (SELECT 1 FROM routing.offices WHERE office_number = @sender),
                   EXISTS (SELECT 1 FROM routing.offices WHERE office_number = @recipient),
                   (SELECT state FROM routing.partnerships
                    WHERE {PartnershipBook.LiveBetween("@sender", "@recipient")} AND partner_office IS NOT NULL),
                   ARRAY(SELECT valid_from FROM routing.licences WHERE office_number = @sender ORDER BY valid_from, granted_at),
                   ARRAY(SELECT valid_to FROM routing.licences WHERE office_number = @sender ORDER BY valid_from, granted_at),
                   ARRAY(SELECT valid_from FROM routing.licences WHERE office_number = @recipient ORDER BY valid_from, granted_at),
                   ARRAY(SELECT valid_to FROM routing.licences WHERE office_number = @recipient ORDER BY valid_from, granted_at)
            """);
        command.Parameters.AddWithValue("sender", sender);
        command.Parameters.AddWithValue("recipient", recipient);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);

        if (!reader.GetBoolean(0))
            return Refuse(422, "unknown-sender", $"送信元の事業所（{sender}）は登録されていません。",
                $"The sending office {sender} is not registered with the relay.");
        if (!reader.GetBoolean(1))
            return Refuse(422, "unknown-recipient", $"送信先の事業所（{recipient}）は登録されていません。",
                $"The recipient office {recipient} is not registered with the relay.");

        var partnership = reader.IsDBNull(2) ? null : reader.GetString(2);
        if (partnership != PartnershipStates.Active)
            return partnership is null
                ? Refuse(403, "not-partners", $"事業所{recipient}とは連携していません。連携を申請し、承認されてから送信してください。",
                    $"Office {recipient} is not your partner; request a partnership and send once it is approved.")
                : Refuse(403, "partnership-inactive", $"事業所{recipient}との連携は「{partnership}」の状態です。有効な連携の間だけ送信できます。",
                    $"The partnership with office {recipient} is {partnership}; files travel only while it is active.");

        var today = licences.Today;
        foreach (var (office, column) in new[] { (sender, 3), (recipient, 5) })
        {
            var from = reader.GetFieldValue<DateOnly[]>(column);
            var to = reader.GetFieldValue<DateOnly[]>(column + 1);
            var held = from.Zip(to, (f, t) => new LicenceView { ValidFrom = f, ValidTo = t }).ToList();
            if (LicenceBook.Cover(held, today) is not null)
                continue;
            var last = held.Where(l => l.ValidTo < today).Select(l => (DateOnly?)l.ValidTo).Max();
            return Refuse(403, "licence-invalid",
                last is { } day
                    ? $"事業所{office}のライセンスは{day:yyyy-MM-dd}で期限が切れています。"
                    : $"事業所{office}には有効なライセンスも無料パスもありません。",
                last is { } end
                    ? $"The licence of office {office} expired on {end:yyyy-MM-dd}."
                    : $"Office {office} has no valid licence or free pass.");
        }
        return new RouteChecked { Allowed = true };
    }

    static RouteChecked Refuse(int status, string reason, string ja, string en) =>
        new() { Allowed = false, Status = status, Reason = reason, ReasonJa = ja, ReasonEn = en };
}
