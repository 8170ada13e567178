using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;

namespace CarePlanMesh.ServiceDefaults.Sagas;

public sealed class NpgsqlSagaRepositoryContext<TSaga, TMessage> :
    MassTransit.Context.ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISagaVersion
    where TMessage : class
{
    readonly NpgsqlSagaDatabaseContext<TSaga> database;
    readonly ConsumeContext<TMessage> consumeContext;
    readonly ISagaConsumeContextFactory<NpgsqlSagaDatabaseContext<TSaga>, TSaga> factory;

    public NpgsqlSagaRepositoryContext(
        NpgsqlSagaDatabaseContext<TSaga> database,
        ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<NpgsqlSagaDatabaseContext<TSaga>, TSaga> factory)
        : base(consumeContext, database)
    {
        this.database = database;
        this.consumeContext = consumeContext;
        this.factory = factory;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> context, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        factory.CreateSagaConsumeContext(database, context, instance, mode);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        factory.CreateSagaConsumeContext(database, consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance) =>
        await database.Insert(instance, CancellationToken)
            ? await factory.CreateSagaConsumeContext(database, consumeContext, instance, SagaConsumeContextMode.Insert)
            : null!; // MassTransit's contract: null means "already there", it then loads the existing instance.

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await database.Load(correlationId, CancellationToken);
        return instance is null
            ? null!
            : await factory.CreateSagaConsumeContext(database, consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        if (!await database.Insert(context.Saga, CancellationToken))
            throw new ConcurrencyException($"Saga {context.Saga.CorrelationId} was created concurrently.", typeof(TSaga), context.Saga.CorrelationId);
    }

    public Task Update(SagaConsumeContext<TSaga> context) => database.Update(context.Saga);

    public Task Delete(SagaConsumeContext<TSaga> context) => database.Delete(context.Saga);

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context) => Task.CompletedTask;
}

public sealed class NpgsqlLoadSagaRepositoryContext<TSaga>(NpgsqlSagaDatabaseContext<TSaga> database, CancellationToken cancellationToken)
    : BasePipeContext(cancellationToken), LoadSagaRepositoryContext<TSaga>
    where TSaga : class, ISagaVersion
{
    public Task<TSaga> Load(Guid correlationId) => database.Load(correlationId, CancellationToken)!;
}
