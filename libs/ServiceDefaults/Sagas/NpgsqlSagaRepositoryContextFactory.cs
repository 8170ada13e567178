using MassTransit;
using MassTransit.Saga;
using Npgsql;

namespace CarePlanMesh.ServiceDefaults.Sagas;

/// <summary>
/// Saga repository over Npgsql, shaped like MassTransit's Dapper repository: a database context per message,
/// optimistic concurrency (version column; <see cref="ConcurrencyException"/> on a lost race, retried by the endpoint),
/// and the instance's one write sent with its commit (<see cref="NpgsqlSagaDatabaseContext{TSaga}"/>).
/// Correlation is by id only: query correlation is not supported.
/// </summary>
public sealed class NpgsqlSagaRepositoryContextFactory<TSaga>(
    NpgsqlDataSource dataSource,
    NpgsqlSagaRepositoryOptions<TSaga> options,
    ISagaConsumeContextFactory<NpgsqlSagaDatabaseContext<TSaga>, TSaga> factory)
    : ISagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISagaVersion
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        await using var database = await Open(context.CancellationToken);
        await next.Send(new NpgsqlSagaRepositoryContext<TSaga, T>(database, context, factory));
        await database.Commit(context.CancellationToken);
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class =>
        throw new NotSupportedException($"{typeof(TSaga).Name} is correlated by id only; query correlation is not supported by the Npgsql saga repository.");

    public async Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        await using var database = await Open(cancellationToken);
        var result = await asyncMethod(new NpgsqlLoadSagaRepositoryContext<TSaga>(database, cancellationToken));
        await database.Commit(cancellationToken);
        return result;
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "npgsql");

    async Task<NpgsqlSagaDatabaseContext<TSaga>> Open(CancellationToken cancellationToken) =>
        new(await dataSource.OpenConnectionAsync(cancellationToken), options);
}
