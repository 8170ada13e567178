using CarePlanMesh.BillingReconciliation;
using CarePlanMesh.BillingReconciliation.Reconciliations;
using CarePlanMesh.ServiceDefaults.Migrations;
using CarePlanMesh.Standard;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CarePlanMesh.Reconciliation.Tests;

/// <summary>billing-reconciliation's tables on real PostgreSQL: which 予定 counts, deletes, and one result per month.</summary>
public sealed class ReconciliationBookTests : IAsyncLifetime
{
    const string Care = StandardFiles.CareOffice;
    const string Provider = StandardFiles.Provider;
    const string Month = StandardFiles.Month;
    NpgsqlDataSource _dataSource = null!;
    ReconciliationBook _book = null!;

    public async Task InitializeAsync()
    {
        var infrastructure = await Infrastructure.GetAsync();
        _dataSource = NpgsqlDataSource.Create(await infrastructure.CreateDatabaseAsync("reconciliation"));
        await new SchemaMigrator(_dataSource, NullLogger<SchemaMigrator>.Instance)
            .MigrateAsync("billing_reconciliation", SchemaMigrator.ScriptsIn(typeof(BillingReconciliationApplication).Assembly), CancellationToken.None);
        _book = new ReconciliationBook(_dataSource);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task The_plan_with_the_later_serial_wins_whatever_order_the_plans_arrive_in()
    {
        var changed = Months.Plan("20250615090000");
        changed[0].Set(1, "serviceDate", Month + "10");
        var (early, late) = (Guid.NewGuid(), Guid.NewGuid());
        await RecordPlan(late, "20250615090000", changed);
        await RecordPlan(early, StandardFiles.Serial, Months.Plan());

        var actual = Months.Actual();
        actual.Set(1, "serviceDate", Month + "10");
        var (planId, result) = (await Reconcile(Guid.NewGuid(), actual))!.Value;

        Assert.Equal(late, planId);
        Assert.Empty(result.Differences);
        Assert.Equal(1, await Count($"fact_units WHERE kind = 'plan'"));
    }

    [Fact]
    public async Task A_plan_delete_removes_the_users_facts_so_their_actual_has_no_plan()
    {
        await RecordPlan(Guid.NewGuid(), StandardFiles.Serial, Months.Plan());
        var delete = Months.Facts(StandardFiles.Valid("plan6Delete", Month, "20250620090000", StandardFiles.Users[0]));
        Assert.True(await _book.DeleteUsers(FactKinds.Plan, Care, Provider, Month, delete.DeletedUsers, CancellationToken.None) > 0);

        var (_, result) = (await Reconcile(Guid.NewGuid(), Months.Actual()))!.Value;

        var difference = Assert.Single(result.Differences);
        Assert.Equal((Months.Key(StandardFiles.Users[0]), DifferenceKind.UserWithoutPlan), (difference.UserKey, difference.Kind));
    }

    [Fact]
    public async Task A_later_actual_replaces_the_months_result_and_an_actual_without_any_plan_is_not_reconciled()
    {
        Assert.Null(await Reconcile(Guid.NewGuid(), Months.Actual()));

        await RecordPlan(Guid.NewGuid(), StandardFiles.Serial, Months.Plan());
        var first = Guid.NewGuid();
        var wrong = Months.Actual("20250701090000");
        wrong.Rows.RemoveAt(0);
        Assert.Equal(1, (await Reconcile(first, wrong))!.Value.Result.Summary.UsersWithDifferences);
        var second = Guid.NewGuid();
        await Reconcile(second, Months.Actual("20250702090000"));

        var stored = Assert.Single(await _book.List(Care, Month, CancellationToken.None));
        Assert.Equal((second, 0, 2), (stored.Item.ReconciliationId, stored.Item.UsersWithDifferences, stored.Item.UsersMatched));
        Assert.Equal(stored.Item, Assert.Single(await _book.List(Provider, Month, CancellationToken.None)).Item);
        Assert.Null(await _book.Find(first, CancellationToken.None));
        Assert.Equal(1, await Count("fact_units WHERE kind = 'actual'"));
    }

    [Fact]
    public async Task Facts_are_recorded_once_per_submission()
    {
        var id = Guid.NewGuid();
        Assert.True(await RecordPlan(id, StandardFiles.Serial, Months.Plan()));
        Assert.False(await RecordPlan(id, StandardFiles.Serial, Months.Plan()));
        Assert.Equal(8, await Count($"service_facts WHERE submission_id = '{id}'"));
    }

    Task<bool> RecordPlan(Guid id, string serial, StandardFile[] files) =>
        _book.Record(id, FactKinds.Plan, Care, Provider, Month, serial, Months.Facts(files), CancellationToken.None);

    async Task<(Guid PlanSubmissionId, ReconciliationResult Result)?> Reconcile(Guid id, StandardFile actual)
    {
        await _book.Record(id, FactKinds.Actual, Care, Provider, Month, actual.Name.Split('_')[^1][..14], Months.Facts(actual), CancellationToken.None);
        return await _book.Reconcile(id, Care, Provider, Month, CancellationToken.None);
    }

    async Task<long> Count(string from)
    {
        await using var command = _dataSource.CreateCommand($"SELECT count(*) FROM billing_reconciliation.{from}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
