using CarePlanMesh.Contracts;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Routing.Licences;

/// <summary>
/// Licences and free passes of each office number. Days are Japanese calendar days: a licence valid to 2027-03-31
/// carries files until midnight in Japan, whatever the server's time zone.
/// </summary>
public sealed class LicenceBook(NpgsqlDataSource dataSource, IOptions<LicenceOptions> options, TimeProvider clock)
{
    static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Japan).DateTime);

    public async Task<IReadOnlyList<LicenceView>> List(string office, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, kind, valid_from, valid_to, fee_yen FROM routing.licences WHERE office_number = @office ORDER BY valid_from, granted_at");
        command.Parameters.AddWithValue("office", office);
        var licences = new List<LicenceView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            licences.Add(new LicenceView
            {
                Id = reader.GetGuid(0),
                Kind = reader.GetString(1),
                ValidFrom = reader.GetFieldValue<DateOnly>(2),
                ValidTo = reader.GetFieldValue<DateOnly>(3),
                FeeYen = reader.GetInt32(4),
            });
        return licences;
    }

    /// <summary>Every licence and free pass granted, oldest first, as it was announced.</summary>
    public async IAsyncEnumerable<LicenceGranted> All([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, office_number, kind, valid_from, valid_to, fee_yen, granted_at FROM routing.licences ORDER BY granted_at, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return new LicenceGranted
            {
                LicenceId = reader.GetGuid(0),
                Office = reader.GetString(1),
                Kind = reader.GetString(2),
                ValidFrom = reader.GetFieldValue<DateOnly>(3),
                ValidTo = reader.GetFieldValue<DateOnly>(4),
                FeeYen = reader.GetInt32(5),
                GrantedAt = reader.GetFieldValue<DateTimeOffset>(6),
            };
    }

    /// <summary>The last day of the licence or free pass that covers today, or null when none does.</summary>
    public async Task<DateOnly?> ValidUntil(string office, CancellationToken cancellationToken) =>
        Cover(await List(office, cancellationToken), Today);

    /// <summary>The end of the unbroken run of licences covering <paramref name="day"/> (a renewal continues the run).</summary>
    internal static DateOnly? Cover(IReadOnlyList<LicenceView> licences, DateOnly day)
    {
        DateOnly? until = null;
        foreach (var licence in licences.OrderBy(l => l.ValidFrom))
            if (licence.ValidFrom <= (until?.AddDays(1) ?? day) && licence.ValidTo >= (until ?? day))
                until = until is null || licence.ValidTo > until ? licence.ValidTo : until;
        return until;
    }

    public async Task<LicenceAnswer> Status(string office, CancellationToken cancellationToken, Refusal? refusal = null)
    {
        var licences = await List(office, cancellationToken);
        var until = Cover(licences, Today);
        return new LicenceAnswer
        {
            Office = office,
            Valid = until is not null,
            ValidUntil = until,
            Licences = licences,
            FreePassApplicationsFrom = options.Value.FreePassApplicationsFrom,
            FreePassApplicationsUntil = options.Value.FreePassApplicationsUntil,
            AnnualFeeYen = options.Value.AnnualFeeYen,
            Refusal = refusal,
        };
    }

    /// <summary>Grants the free pass: one year from today, once per office, while applications are accepted.</summary>
    public async Task<(LicenceAnswer Answer, LicenceGranted? Granted)> ApplyFreePass(string office, CancellationToken cancellationToken)
    {
        var today = Today;
        var window = options.Value;
        if (today < window.FreePassApplicationsFrom || today > window.FreePassApplicationsUntil)
            return (await Status(office, cancellationToken, new Refusal
            {
                Status = 409,
                Reason = "free-pass-closed",
                ReasonJa = $"無料パスの申請受付期間（{window.FreePassApplicationsFrom:yyyy-MM-dd}～{window.FreePassApplicationsUntil:yyyy-MM-dd}）外です。",
                ReasonEn = $"Free-pass applications are accepted from {window.FreePassApplicationsFrom:yyyy-MM-dd} to {window.FreePassApplicationsUntil:yyyy-MM-dd}.",
            }), null);
        var granted = await Grant(office, LicenceKinds.FreePass, today, today.AddYears(1).AddDays(-1), 0, cancellationToken);
        if (granted is null)
            return (await Status(office, cancellationToken, new Refusal
            {
                Status = 409,
                Reason = "free-pass-used",
                ReasonJa = $"事業所番号{office}は無料パスを申請済みです（1事業所番号につき1回）。",
                ReasonEn = $"Office {office} has already had its free pass (one per office number).",
            }), null);
        return (await Status(office, cancellationToken), granted);
    }

    /// <summary>An annual licence from <paramref name="from"/> for one year at the configured fee.</summary>
    public Task<LicenceGranted?> GrantAnnual(string office, DateOnly from, CancellationToken cancellationToken) =>
        Grant(office, LicenceKinds.Annual, from, from.AddYears(1).AddDays(-1), options.Value.AnnualFeeYen, cancellationToken);

    async Task<LicenceGranted?> Grant(string office, string kind, DateOnly from, DateOnly to, int fee, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        var at = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO routing.licences (id, office_number, kind, valid_from, valid_to, fee_yen, granted_at)
            VALUES (@id, @office, @kind, @from, @to, @fee, @at)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        command.Parameters.AddWithValue("fee", fee);
        command.Parameters.AddWithValue("at", at);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            return null;
        return new LicenceGranted { LicenceId = id, Office = office, Kind = kind, ValidFrom = from, ValidTo = to, FeeYen = fee, GrantedAt = at };
    }
}
