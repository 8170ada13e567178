using System.Collections.Concurrent;
using System.Reflection;
using CarePlanMesh.Contracts;
using CarePlanMesh.Intake.Submissions;
using CarePlanMesh.ServiceDefaults;
using CarePlanMesh.ServiceDefaults.MessageData;
using CarePlanMesh.ServiceDefaults.Migrations;
using CarePlanMesh.Testing;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Intake.Tests;

/// <summary>
/// The sweeper on real PostgreSQL with intake's migrations. A publish that the bus cancels, as it does while the watchdog
/// restarts the bus, fails that sweep only: the next sweep re-drives the step. Before, the cancellation ended the sweeper,
/// and with it the service (CI, fault test: "Background jobs failed: SubmissionSweeper").
/// </summary>
public sealed class SubmissionSweeperTests
{
    [Fact]
    public async Task A_publish_the_bus_cancels_fails_one_sweep_and_the_next_sweep_re_drives_the_step()
    {
        var infrastructure = await Infrastructure.GetAsync();
        await using var dataSource = NpgsqlDataSource.Create(await infrastructure.CreateDatabaseAsync("sweeper"));
        var migrator = new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync("messagedata", SchemaMigrator.ScriptsIn(typeof(ServiceDefaultsExtensions).Assembly), CancellationToken.None);
        await migrator.MigrateAsync("intake", SchemaMigrator.ScriptsIn(typeof(IntakeApplication).Assembly), CancellationToken.None);
        var id = Guid.NewGuid();
        await using (var overdue = dataSource.CreateCommand(
            """
            INSERT INTO intake.submissions (correlation_id, version, current_state, data, sender_office, recipient_office, send_unit, received_at, deadline)
            VALUES (@id, 1, 'Validating', '{}', '0300000100', '0300000005', '20250701000000', now(), now() - interval '1 minute')
            """))
        {
            overdue.Parameters.AddWithValue("id", id);
            await overdue.ExecuteNonQueryAsync();
        }

        var bus = DispatchProxy.Create<IBus, CancellingOnceBus>();
        var published = (CancellingOnceBus)(object)bus;
        var encryption = new PayloadEncryption(new PayloadEncryptionOptions { Keys = new() { ["test"] = Convert.ToBase64String(new byte[32]) } });
        var sweeper = new SubmissionSweeper(new SubmissionStore(dataSource),
            new PickupReminderCheck(new PickupReminderStore(dataSource), bus, Options.Create(new SubmissionOptions())),
            new PostgresMessageDataRepository(dataSource, encryption, TimeProvider.System), bus,
            Options.Create(new SweeperOptions { Interval = TimeSpan.FromMilliseconds(100), Lease = TimeSpan.FromMilliseconds(300) }),
            NullLogger<SubmissionSweeper>.Instance);

        await sweeper.StartAsync(CancellationToken.None);
        try
        {
            await Poll.Until(() => Task.FromResult(published.Overdue.Contains(id) || sweeper.ExecuteTask!.IsCompleted), TimeSpan.FromSeconds(30),
                () => $"The step was not re-driven after the cancelled publish ({published.Cancelled} cancelled).");
            Assert.Equal(1, published.Cancelled);
            Assert.False(sweeper.ExecuteTask!.IsCompleted, $"The sweeper ended: {sweeper.ExecuteTask.Status}");
            Assert.Contains(id, published.Overdue);
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// A bus whose first publish is cancelled, as MassTransit's is while the bus stops; later ones succeed and are noted.
    /// Only what the sweeper calls is implemented.
    /// </summary>
    public class CancellingOnceBus : DispatchProxy
    {
        int _publishes;

        public int Cancelled { get; private set; }
        public ConcurrentBag<Guid> Overdue { get; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IPublishEndpoint.Publish) || args?[0] is not SubmissionStepOverdue overdue)
                throw new NotSupportedException($"The sweeper test's bus does not do {targetMethod?.Name}.");
            if (Interlocked.Increment(ref _publishes) == 1)
            {
                Cancelled++;
                return Task.FromException(new TaskCanceledException("The bus stopped"));
            }
            Overdue.Add(overdue.SubmissionId);
            return Task.CompletedTask;
        }
    }
}
