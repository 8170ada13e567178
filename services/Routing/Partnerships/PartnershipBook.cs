using CarePlanMesh.Contracts;
using Npgsql;

namespace CarePlanMesh.Routing.Partnerships;

/// <summary>
/// Partnerships (連携先) with staged onboarding (issue #5 §1): requested by one office, approved or declined by the other,
/// suspended or ended by either; an invitation to an unregistered office waits until that office registers.
/// Every change is one conditional UPDATE, so two offices acting at once cannot both win.
/// </summary>
public sealed class PartnershipBook(NpgsqlDataSource dataSource, TimeProvider clock)
{
    const string Columns = "id, requester_office, partner_office, invite_email, state, suspended_by, created_at, updated_at";

    public async Task<IReadOnlyList<PartnershipView>> List(string office, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM routing.partnerships WHERE requester_office = @office OR partner_office = @office ORDER BY updated_at DESC");
        command.Parameters.AddWithValue("office", office);
        return await Read(command, office, cancellationToken);
    }

    public async Task<PartnershipView?> Find(Guid id, string office, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM routing.partnerships WHERE id = @id AND (requester_office = @office OR partner_office = @office)");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("office", office);
        return (await Read(command, office, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// The SQL condition on routing.partnerships for the live partnership between the offices in parameters
    /// <paramref name="a"/> and <paramref name="b"/>, whichever side asked: here and in the route check's one statement.
    /// </summary>
    public static string LiveBetween(string a, string b) =>
        $"LEAST(requester_office, partner_office) = LEAST({a}, {b}) AND GREATEST(requester_office, partner_office) = GREATEST({a}, {b}) " +
        "AND state IN ('invited', 'pending', 'active', 'suspended')";

    /// <summary>The live partnership between two offices, if any.</summary>
    public async Task<PartnershipView?> Between(string office, string other, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM routing.partnerships WHERE {LiveBetween("@a", "@b")}");
        command.Parameters.AddWithValue("a", office);
        command.Parameters.AddWithValue("b", other);
        return (await Read(command, office, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Records a request (state pending) or an invitation (state invited); null when a live one already exists.</summary>
    public async Task<PartnershipView?> Create(string requester, string? partner, string? inviteEmail, string state, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO routing.partnerships (id, requester_office, partner_office, invite_email, state, created_at, updated_at)
            VALUES (@id, @requester, @partner, @email, @state, @now, @now)
            ON CONFLICT DO NOTHING
            RETURNING {Columns}
            """);
        command.Parameters.AddWithValue("id", Guid.CreateVersion7());
        command.Parameters.AddWithValue("requester", requester);
        command.Parameters.AddWithValue("partner", (object?)partner ?? DBNull.Value);
        command.Parameters.AddWithValue("email", (object?)inviteEmail ?? DBNull.Value);
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("now", now);
        return (await Read(command, requester, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// Applies an action if the office may take it in the partnership's current state; returns the new view, or the
    /// refusal. The rules: the asked side approves or declines a pending request; either side suspends an active one;
    /// the side that suspended approves it again; either side ends anything not yet ended or declined.
    /// </summary>
    public async Task<(PartnershipView? Partnership, Refusal? Refusal)> Change(string office, Guid id, string action, CancellationToken cancellationToken)
    {
        var current = await Find(id, office, cancellationToken);
        if (current is null)
            return (null, new Refusal { Status = 404, Reason = "not-found", ReasonJa = "この連携は存在しないか、貴事業所は当事者ではありません。", ReasonEn = "No partnership with this id has your office as a side." });
        if (!current.Actions.Contains(action))
            return (current, new Refusal
            {
                Status = 409,
                Reason = "not-allowed-now",
                ReasonJa = $"状態「{current.State}」の連携に対して、貴事業所は「{action}」を行えません（可能な操作: {string.Join(", ", current.Actions.DefaultIfEmpty("なし"))}）。",
                ReasonEn = $"Your office cannot {action} a partnership in state {current.State} (possible: {string.Join(", ", current.Actions.DefaultIfEmpty("none"))}).",
            });

        var (state, suspendedBy) = action switch
        {
            PartnershipActions.Approve => (PartnershipStates.Active, (string?)null),
            PartnershipActions.Decline => (PartnershipStates.Declined, null),
            PartnershipActions.Suspend => (PartnershipStates.Suspended, office),
            _ => (PartnershipStates.Ended, null),
        };
        await using var command = dataSource.CreateCommand(
            $"""
            UPDATE routing.partnerships SET state = @state, suspended_by = @suspendedBy, updated_at = @now
            WHERE id = @id AND state = @expected
            RETURNING {Columns}
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("suspendedBy", (object?)suspendedBy ?? DBNull.Value);
        command.Parameters.AddWithValue("expected", current.State);
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        var changed = (await Read(command, office, cancellationToken)).SingleOrDefault();
        // Lost a race with the other side: answer with what is there now.
        return changed is not null ? (changed, null) : await Change(office, id, action, cancellationToken);
    }

    /// <summary>Invitations naming this office number or contact e-mail become requests the office can approve.</summary>
    public async Task<IReadOnlyList<PartnershipView>> AcceptInvitations(string office, string? email, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            UPDATE routing.partnerships p SET state = 'pending', partner_office = @office, updated_at = @now
            WHERE p.state = 'invited' AND p.requester_office <> @office
              AND (p.partner_office = @office OR (p.partner_office IS NULL AND @email IS NOT NULL AND lower(p.invite_email) = lower(@email)))
              AND NOT EXISTS (SELECT 1 FROM routing.partnerships live
                  WHERE live.id <> p.id AND live.state IN ('pending', 'active', 'suspended')
                    AND LEAST(live.requester_office, live.partner_office) = LEAST(p.requester_office, @office)
                    AND GREATEST(live.requester_office, live.partner_office) = GREATEST(p.requester_office, @office))
            RETURNING {Columns}
            """);
        command.Parameters.AddWithValue("office", office);
        command.Parameters.Add(new NpgsqlParameter<string?>("email", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = email });
        command.Parameters.AddWithValue("now", clock.GetUtcNow());
        return await Read(command, office, cancellationToken);
    }

    static async Task<IReadOnlyList<PartnershipView>> Read(NpgsqlCommand command, string viewer, CancellationToken cancellationToken)
    {
        var list = new List<PartnershipView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var requester = reader.GetString(1);
            var state = reader.GetString(4);
            var suspendedBy = reader.IsDBNull(5) ? null : reader.GetString(5);
            list.Add(new PartnershipView
            {
                Id = reader.GetGuid(0),
                RequesterOffice = requester,
                PartnerOffice = reader.IsDBNull(2) ? null : reader.GetString(2),
                InviteEmail = viewer == requester && !reader.IsDBNull(3) ? reader.GetString(3) : null,
                State = state,
                SuspendedBy = suspendedBy,
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(6),
                UpdatedAt = reader.GetFieldValue<DateTimeOffset>(7),
                Actions = ActionsFor(viewer, requester, state, suspendedBy),
            });
        }
        return list;
    }

    static string[] ActionsFor(string viewer, string requester, string state, string? suspendedBy) => state switch
    {
        PartnershipStates.Pending when viewer != requester => [PartnershipActions.Approve, PartnershipActions.Decline, PartnershipActions.End],
        PartnershipStates.Pending or PartnershipStates.Invited => [PartnershipActions.End],
        PartnershipStates.Active => [PartnershipActions.Suspend, PartnershipActions.End],
        PartnershipStates.Suspended when viewer == suspendedBy => [PartnershipActions.Approve, PartnershipActions.End],
        PartnershipStates.Suspended => [PartnershipActions.End],
        _ => [],
    };
}
