using MassTransit;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace CarePlanMesh.ServiceDefaults.Health;

/// <summary>
/// Reopens the service's broker connection when the broker refuses a publish (a negative confirm), so that no channel stays
/// unable to publish after a RabbitMQ node is lost.
/// </summary>
/// <remarks>
/// Why: RabbitMQ's quorum-queue client in a channel (rabbit_fifo_client, 3.10 as Debian 12 ships it) asks the queue's
/// recorded leader before the channel's first publish to that queue. When that happens while the leader's node has just
/// died and the new leader is not yet recorded, the answer is nodedown, the publish is refused, and the channel keeps the
/// dead leader: it refuses every later publish to that queue for the rest of its life, although the queue has a new leader
/// within seconds. A channel opened after the election asks the new leader. MassTransit keeps a channel whose publish was
/// refused, so after a node loss a service would refuse sends for as long as it runs. Reopening the connection gives every
/// channel a fresh start; MassTransit reconnects its endpoints, and the refused message's retry (or the caller's next
/// request) goes through. At most one reopening per <see cref="MinimumInterval"/>: a refusal that lasts (a queue without a
/// quorum) does not make the service reconnect in a loop.
/// </remarks>
public sealed class RefusedPublishRecovery(IServiceProvider services, TimeProvider clock, ILogger<RefusedPublishRecovery> logger) : ISendObserver, IPublishObserver
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(3);

    readonly Lock _gate = new();
    DateTimeOffset? _reopenedAt;

    /// <summary>How often the connection was reopened after a refusal since the service started.</summary>
    public int Reopenings { get; private set; }

    /// <summary>A publish the broker refused with a negative confirm (not a mandatory message returned as unroutable).</summary>
    public static bool IsRefusal(Exception exception) => exception switch
    {
        RabbitMQ.Client.Exceptions.PublishException refused => !refused.IsReturn,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsRefusal),
        _ => exception.InnerException is { } inner && IsRefusal(inner),
    };

    public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Observe(exception);

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Observe(exception);

    Task Observe(Exception exception)
    {
        if (!IsRefusal(exception))
            return Task.CompletedTask;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_reopenedAt is { } last && now - last < MinimumInterval)
                return Task.CompletedTask;
            _reopenedAt = now;
            Reopenings++;
        }
        // Not awaited: the sender's fault goes back to its caller now; the connection closes beside it.
        _ = Task.Run(Reopen);
        return Task.CompletedTask;
    }

    async Task Reopen()
    {
        // Resolved here, not injected: the bus is built with this observer, so it cannot be a dependency of it.
        if (services.GetService(typeof(IBusInstance)) is not IBusInstance { HostConfiguration: IRabbitMqHostConfiguration rabbit })
            return;
        logger.LogWarning("The broker refused a publish; reopening the broker connection so that every channel asks the queues' current leaders");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            IConnection? connection = null;
            await rabbit.ConnectionContextSupervisor.Send(Pipe.Execute<ConnectionContext>(context => connection = context.Connection), timeout.Token);
            if (connection is { IsOpen: true })
                await HaveTheBrokerClose(connection, timeout.Token);
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            // The connection is down already, or closing it failed: MassTransit reconnects either way.
            logger.LogDebug("Reopening the broker connection failed ({ExceptionType})", failure.GetType().Name);
        }
    }

    /// <summary>The exchange type whose declaration makes the broker close the connection; it names why in the broker's log.</summary>
    public const string ReopenExchangeType = "x-careplanmesh-reopen-connection";

    /// <summary>
    /// Has the broker close the connection rather than closing it here. MassTransit 8.5 stops a send endpoint's shared channel
    /// only on a shutdown it did not initiate itself (SharedChannelContextFactory ignores ShutdownInitiator.Application): after
    /// a close from here, every send endpoint used before kept its closed channel and failed its next publish
    /// (ObjectDisposedException) before it took a new one, so a sign-in, a route check or a step's command failed once per
    /// endpoint. A connection error the broker raises is handled as a lost node is: every channel, send endpoint and receive
    /// endpoint starts again on a new connection. Declaring an exchange of a type the broker does not know is such an error
    /// (COMMAND_INVALID closes the connection; the broker logs "unknown exchange type 'x-careplanmesh-reopen-connection'").
    /// </summary>
    static async Task HaveTheBrokerClose(IConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.ExchangeDeclareAsync("careplanmesh.reopen-connection", ReopenExchangeType, durable: false, autoDelete: true,
                cancellationToken: cancellationToken);
        }
        catch (Exception closed) when (closed is RabbitMQ.Client.Exceptions.OperationInterruptedException or RabbitMQ.Client.Exceptions.AlreadyClosedException)
        {
            // The broker closed the connection, as asked.
        }
    }

    public Task PreSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;
    public Task PostSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;
    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
    public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
}
