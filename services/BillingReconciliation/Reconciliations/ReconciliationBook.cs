using CarePlanMesh.Contracts;
using CarePlanMesh.Reconciliation;
using Npgsql;
using NpgsqlTypes;

namespace CarePlanMesh.BillingReconciliation.Reconciliations;

/// <summary>
/// Owns the reconciliation tables: the pseudonymous facts of the latest 予定 and 実績 of each (care office, provider,
/// month) and the counts of their comparison. A unit's facts are written in one batch, as column arrays.
/// </summary>
public sealed class ReconciliationBook(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Records a unit's facts once per submission and keeps only the latest unit (by 連番) of its kind for the pair and
    /// month. False when the submission was recorded before (a redelivery).
    /// </summary>
    public async Task<bool> Record(Guid submissionId, string kind, string careOffice, string providerOffice, string month, string sendUnit, UnitFacts facts,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO billing_reconciliation.fact_units (submission_id, kind, care_office, provider_office, service_month, send_unit)
            VALUES (@id, @kind, @care, @provider, @month, @unit)
            ON CONFLICT (submission_id) DO NOTHING
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("id", submissionId);
            insert.Parameters.AddWithValue("kind", kind);
            insert.Parameters.AddWithValue("care", careOffice);
            insert.Parameters.AddWithValue("provider", providerOffice);
            insert.Parameters.AddWithValue("month", month);
            insert.Parameters.AddWithValue("unit", sendUnit);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
                return false;
        }

        // The facts as column arrays, inserted by unnest, and the older units' removal go in one round trip: two binary COPYs
        // took two round trips each and cost more than the few rows of a typical unit (docs/benchmarks.md, 2026-12-06 (2)).
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            var services = new NpgsqlBatchCommand(
                """
                INSERT INTO billing_reconciliation.service_facts (submission_id, user_key, provider_office, service_code, service_date, start_time, end_time, units, count, line)
                SELECT @id, * FROM unnest(@users, @providers, @codes, @dates, @starts, @ends, @units, @counts, @lines)
                """);
            services.Parameters.AddWithValue("id", submissionId);
            services.Parameters.AddWithValue("users", facts.Services.Select(f => f.UserKey).ToArray());
            services.Parameters.AddWithValue("providers", facts.Services.Select(f => f.ProviderOffice).ToArray());
            services.Parameters.AddWithValue("codes", facts.Services.Select(f => f.ServiceCode).ToArray());
            services.Parameters.AddWithValue("dates", facts.Services.Select(f => f.ServiceDate).ToArray());
            services.Parameters.AddWithValue("starts", facts.Services.Select(f => f.StartTime).ToArray());
            services.Parameters.AddWithValue("ends", facts.Services.Select(f => f.EndTime).ToArray());
            services.Parameters.AddWithValue("units", facts.Services.Select(f => f.Units).ToArray());
            services.Parameters.AddWithValue("counts", facts.Services.Select(f => f.Count).ToArray());
            services.Parameters.AddWithValue("lines", facts.Services.Select(f => f.Line).ToArray());
            batch.BatchCommands.Add(services);

            var limits = new NpgsqlBatchCommand(
                """
                INSERT INTO billing_reconciliation.limit_facts (submission_id, user_key, care_level, limit_units, subject_units, stated_excess_units, line)
                SELECT @id, * FROM unnest(@users, @levels, @limits, @subjects, @excesses, @lines)
                """);
            limits.Parameters.AddWithValue("id", submissionId);
            limits.Parameters.AddWithValue("users", facts.Limits.Select(l => l.UserKey).ToArray());
            limits.Parameters.AddWithValue("levels", facts.Limits.Select(l => l.CareLevel).ToArray());
            limits.Parameters.AddWithValue("limits", facts.Limits.Select(l => l.LimitUnits).ToArray());
            limits.Parameters.AddWithValue("subjects", facts.Limits.Select(l => l.SubjectUnits).ToArray());
            limits.Parameters.AddWithValue("excesses", facts.Limits.Select(l => l.StatedExcessUnits).ToArray());
            limits.Parameters.AddWithValue("lines", facts.Limits.Select(l => l.Line).ToArray());
            batch.BatchCommands.Add(limits);

            // Only the latest unit of the pair and month counts: older ones (and their facts, by cascade) go.
            var older = new NpgsqlBatchCommand(
                """
                DELETE FROM billing_reconciliation.fact_units
                WHERE kind = @kind AND care_office = @care AND provider_office = @provider AND service_month = @month
                  AND submission_id <> (SELECT submission_id FROM billing_reconciliation.fact_units
                                        WHERE kind = @kind AND care_office = @care AND provider_office = @provider AND service_month = @month
                                        ORDER BY send_unit DESC, recorded_at DESC LIMIT 1)
                """);
            older.Parameters.AddWithValue("kind", kind);
            older.Parameters.AddWithValue("care", careOffice);
            older.Parameters.AddWithValue("provider", providerOffice);
            older.Parameters.AddWithValue("month", month);
            batch.BatchCommands.Add(older);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>予定削除 / 実績削除: the users' facts leave every unit of that kind for the pair and month.</summary>
    public async Task<int> DeleteUsers(string kind, string careOffice, string providerOffice, string month, IReadOnlyList<string> users, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var table in (string[])["service_facts", "limit_facts"])
        {
            await using var command = dataSource.CreateCommand(
                $"""
                DELETE FROM billing_reconciliation.{table} f USING billing_reconciliation.fact_units u
                WHERE f.submission_id = u.submission_id AND u.kind = @kind AND u.care_office = @care AND u.provider_office = @provider
                  AND u.service_month = @month AND f.user_key = ANY(@users)
                """);
            command.Parameters.AddWithValue("kind", kind);
            command.Parameters.AddWithValue("care", careOffice);
            command.Parameters.AddWithValue("provider", providerOffice);
            command.Parameters.AddWithValue("month", month);
            command.Parameters.AddWithValue("users", users.ToArray());
            deleted += await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return deleted;
    }

    /// <summary>
    /// Compares the 実績 unit with the latest 予定 of its pair and month (only the provider's rows) and stores the counts
    /// under the 実績's id, replacing the month's earlier result. Null when there is no 予定.
    /// </summary>
    public async Task<(Guid PlanSubmissionId, ReconciliationResult Result)?> Reconcile(Guid actualSubmissionId, string careOffice, string providerOffice, string month,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        Guid planId;
        await using (var latest = new NpgsqlCommand(
            """
            SELECT submission_id FROM billing_reconciliation.fact_units
            WHERE kind = 'plan' AND care_office = @care AND provider_office = @provider AND service_month = @month
            ORDER BY send_unit DESC, recorded_at DESC LIMIT 1
            """, connection))
        {
            latest.Parameters.AddWithValue("care", careOffice);
            latest.Parameters.AddWithValue("provider", providerOffice);
            latest.Parameters.AddWithValue("month", month);
            if (await latest.ExecuteScalarAsync(cancellationToken) is not Guid found)
                return null;
            planId = found;
        }

        var plan = await Services(connection, planId, providerOffice, cancellationToken);
        var actual = await Services(connection, actualSubmissionId, null, cancellationToken);
        var limits = new List<UserLimit>();
        await using (var command = new NpgsqlCommand(
            "SELECT user_key, care_level, limit_units, subject_units, stated_excess_units, line FROM billing_reconciliation.limit_facts WHERE submission_id = @id", connection))
        {
            command.Parameters.AddWithValue("id", planId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                limits.Add(new UserLimit(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5)));
        }

        var result = Reconciler.Compare(providerOffice, plan, actual, limits);
        var s = result.Summary;
        await using (var upsert = new NpgsqlCommand(
            """
            INSERT INTO billing_reconciliation.reconciliations AS r (id, care_office, provider_office, service_month, plan_submission_id, actual_submission_id,
                users_compared, users_matched, users_with_differences, not_delivered, not_planned, different_service_code, different_times_or_units,
                different_counts, users_without_plan, users_over_limit)
            VALUES (@id, @care, @provider, @month, @plan, @id, @compared, @matched, @differing, @nd, @np, @code, @times, @counts, @without, @over)
            ON CONFLICT (care_office, provider_office, service_month) DO UPDATE SET
                id = excluded.id, plan_submission_id = excluded.plan_submission_id, actual_submission_id = excluded.actual_submission_id,
                users_compared = excluded.users_compared, users_matched = excluded.users_matched, users_with_differences = excluded.users_with_differences,
                not_delivered = excluded.not_delivered, not_planned = excluded.not_planned, different_service_code = excluded.different_service_code,
                different_times_or_units = excluded.different_times_or_units, different_counts = excluded.different_counts,
                users_without_plan = excluded.users_without_plan, users_over_limit = excluded.users_over_limit,
                sealed_report = CASE WHEN r.id = excluded.id THEN r.sealed_report END, completed_at = now()
            """, connection))
        {
            var p = upsert.Parameters;
            p.AddWithValue("id", actualSubmissionId);
            p.AddWithValue("care", careOffice);
            p.AddWithValue("provider", providerOffice);
            p.AddWithValue("month", month);
            p.AddWithValue("plan", planId);
            p.AddWithValue("compared", s.UsersCompared);
            p.AddWithValue("matched", s.UsersMatched);
            p.AddWithValue("differing", s.UsersWithDifferences);
            p.AddWithValue("nd", s.Differences[DifferenceKind.NotDelivered]);
            p.AddWithValue("np", s.Differences[DifferenceKind.NotPlanned]);
            p.AddWithValue("code", s.Differences[DifferenceKind.DifferentServiceCode]);
            p.AddWithValue("times", s.Differences[DifferenceKind.DifferentTimesOrUnits]);
            p.AddWithValue("counts", s.Differences[DifferenceKind.DifferentCounts]);
            p.AddWithValue("without", s.Differences[DifferenceKind.UserWithoutPlan]);
            p.AddWithValue("over", s.UsersOverLimit);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        return (planId, result);
    }

    /// <summary>Records where the sealed detail report is; the care office, or null when the reconciliation was replaced meanwhile.</summary>
    public async Task<string?> ReportSealed(Guid reconciliationId, Uri sealedReport, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE billing_reconciliation.reconciliations SET sealed_report = @report WHERE id = @id RETURNING care_office");
        command.Parameters.AddWithValue("id", reconciliationId);
        command.Parameters.AddWithValue("report", sealedReport.ToString());
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>An office's results of a month, as care office or as provider (its own rows only).</summary>
    public async Task<IReadOnlyList<(ReconciliationCompleted Item, bool Sealed)>> List(string office, string month, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"{SelectSummary} WHERE (care_office = @office OR provider_office = @office) AND service_month = @month ORDER BY provider_office, care_office");
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("month", month);
        var items = new List<(ReconciliationCompleted, bool)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            items.Add((Summary(reader), !reader.IsDBNull(16)));
        return items;
    }

    public async Task<ReconciliationCompleted?> Find(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"{SelectSummary} WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Summary(reader) : null;
    }

    /// <summary>The sealed report's address for its care office; (false, null) when not that office's.</summary>
    public async Task<(bool Found, Uri? SealedReport)> Report(Guid id, string careOffice, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT sealed_report FROM billing_reconciliation.reconciliations WHERE id = @id AND care_office = @office");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("office", careOffice);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return (false, null);
        return (true, reader.IsDBNull(0) ? null : new Uri(reader.GetString(0)));
    }

    const string SelectSummary =
        """
        SELECT id, care_office, provider_office, service_month, plan_submission_id, actual_submission_id, users_compared, users_matched,
               users_with_differences, not_delivered, not_planned, different_service_code, different_times_or_units, different_counts,
               users_without_plan, users_over_limit, sealed_report
        FROM billing_reconciliation.reconciliations
        """;

    static ReconciliationCompleted Summary(NpgsqlDataReader r) => new()
    {
        ReconciliationId = r.GetGuid(0),
        CareOffice = r.GetString(1),
        ProviderOffice = r.GetString(2),
        ServiceMonth = r.GetString(3),
        PlanSubmissionId = r.GetGuid(4),
        ActualSubmissionId = r.GetGuid(5),
        UsersCompared = r.GetInt32(6),
        UsersMatched = r.GetInt32(7),
        UsersWithDifferences = r.GetInt32(8),
        NotDelivered = r.GetInt32(9),
        NotPlanned = r.GetInt32(10),
        DifferentServiceCode = r.GetInt32(11),
        DifferentTimesOrUnits = r.GetInt32(12),
        DifferentCounts = r.GetInt32(13),
        UsersWithoutPlan = r.GetInt32(14),
        UsersOverLimit = r.GetInt32(15),
    };

    static async Task<List<ServiceFact>> Services(NpgsqlConnection connection, Guid submissionId, string? provider, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT user_key, provider_office, service_code, service_date, start_time, end_time, units, count, line
            FROM billing_reconciliation.service_facts WHERE submission_id = @id AND (@provider::text IS NULL OR provider_office = @provider)
            """, connection);
        command.Parameters.AddWithValue("id", submissionId);
        command.Parameters.Add(new NpgsqlParameter("provider", NpgsqlDbType.Text) { Value = (object?)provider ?? DBNull.Value });
        var facts = new List<ServiceFact>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            facts.Add(new ServiceFact(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8)));
        return facts;
    }
}
