using CarePlanMesh.ServiceDefaults.Sagas;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MassTransit;

public static class NpgsqlSagaRepositoryExtensions
{
    /// <summary>Stores the saga in PostgreSQL through the service's NpgsqlDataSource.</summary>
    public static ISagaRegistrationConfigurator<TSaga> NpgsqlRepository<TSaga>(
        this ISagaRegistrationConfigurator<TSaga> configurator,
        Action<NpgsqlSagaRepositoryOptions<TSaga>> configure)
        where TSaga : class, ISagaVersion
    {
        var options = new NpgsqlSagaRepositoryOptions<TSaga>();
        configure(options);
        if (string.IsNullOrWhiteSpace(options.Table))
            throw new ArgumentException("The saga table must be named, e.g. intake.submissions.", nameof(configure));

        configurator.Repository(r =>
        {
            r.TryAddSingleton(options);
            r.RegisterLoadSagaRepository<TSaga, NpgsqlSagaRepositoryContextFactory<TSaga>>();
            r.RegisterSagaRepository<TSaga, NpgsqlSagaDatabaseContext<TSaga>,
                SagaConsumeContextFactory<NpgsqlSagaDatabaseContext<TSaga>, TSaga>,
                NpgsqlSagaRepositoryContextFactory<TSaga>>();
        });
        return configurator;
    }
}
