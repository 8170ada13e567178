using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace CarePlanMesh.ServiceDefaults.Health;

/// <summary>
/// Whether each of this service's receive endpoints is consuming, seen two ways: MassTransit's own endpoint state, and the
/// broker's count of consumers on the endpoint's queue (a passive declare on a connection of the probe's own). The second
/// catches an endpoint that MassTransit believes ready while the broker has no consumer for it, as seen after broker restarts.
/// </summary>
public sealed class BusEndpointProbe : IAsyncDisposable
{
    readonly IReceiveEndpointStates _endpoints;
    readonly BrokerAddress _broker;
    readonly TimeProvider _clock;
    readonly ILogger<BusEndpointProbe> _logger;
    readonly TimeSpan _timeout;

    public BusEndpointProbe(IReceiveEndpointStates endpoints, BrokerAddress broker, TimeProvider clock, ILogger<BusEndpointProbe> logger, IMeterFactory meters,
        IOptions<HealthOptions> options)
    {
        _timeout = options.Value.ProbeTimeout;
        _endpoints = endpoints;
        _broker = broker;
        _clock = clock;
        _logger = logger;
        meters.Create(ServiceDefaultsExtensions.Meter.Name).CreateObservableGauge("careplanmesh.error_queue.messages",
            () => ErrorMessages.Select(e => new Measurement<long>(e.Value, new KeyValuePair<string, object?>("queue", $"{e.Key}_error"))),
            description: "Messages in the service's _error queues, as of the latest probe: each one needs an operator");
    }

    /// <param name="BrokerError">Why the broker did not answer (the exception's type, or that it did not answer in time), when it did not.</param>
    public sealed record Result(bool BrokerReachable, IReadOnlyDictionary<string, string> Down, DateTimeOffset At, string? BrokerError = null)
    {
        public bool Healthy => BrokerReachable && Down.Count == 0;
    }

    readonly SemaphoreSlim _gate = new(1, 1);
    /// <summary>Every receive endpoint queue this process has had since it started.</summary>
    readonly HashSet<string> _known = [];
    IConnection? _connection;
    DateTimeOffset? _downSince;

    /// <summary>The latest result, and since when endpoints have been down without a break (null: they are not).</summary>
    public (Result? Last, DateTimeOffset? DownSince) State { get; private set; }

    public async Task<Result> Check(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var down = new Dictionary<string, string>();
            var queues = new List<string>();
            var listed = new HashSet<string>();
            var reply = Queue(_endpoints.BusAddress);
            foreach (var (address, status) in _endpoints.Current())
            {
                var queue = Queue(address);
                listed.Add(queue);
                _known.Add(queue);
                if (status != BusHealthStatus.Healthy)
                    down[queue] = status.ToString();
                // The bus's own endpoint is the exclusive reply queue of request clients: other connections may not inspect it,
                // so MassTransit's state is all that is judged of it (a dead one makes every request time out).
                else if (queue != reply)
                    queues.Add(queue);
            }
            // A service's endpoints are all configured at start: one that MassTransit no longer lists is not consuming here.
            foreach (var queue in _known.Where(q => !listed.Contains(q)))
                down[queue] = "NotRunning";

            string? brokerError = null;
            using var look = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            look.CancelAfter(_timeout);
            try
            {
                foreach (var queue in queues)
                    if ((await Declared(queue, look.Token)).Consumers == 0)
                        down[queue] = "NoConsumer";
                foreach (var queue in queues.Concat(down.Keys).Where(q => q != reply))
                    ErrorMessages[queue] = (await Declared($"{queue}_error", look.Token)).Messages;
            }
            // Only the caller's own cancellation passes: the client's internal timeouts surface as cancellations too, and a
            // look that ended in one must say "the broker did not answer", never end the watchdog that asked.
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                brokerError = exception is OperationCanceledException ? $"no answer within {_timeout}" : exception.GetType().Name;
                _logger.LogDebug("The broker does not answer the endpoint probe ({BrokerError})", brokerError);
                await DropConnection();
            }

            var result = new Result(brokerError is null, down, _clock.GetUtcNow(), brokerError);
            // Counted only while the broker answers: after a broker outage, MassTransit gets its own chance to reconnect first.
            _downSince = result.Healthy || !result.BrokerReachable ? null : _downSince ?? result.At;
            State = (result, _downSince);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    static string Queue(Uri address) => address.AbsolutePath.Trim('/').Split('/')[^1];

    /// <summary>Messages waiting in each endpoint's error queue: what needs an operator (counted by careplanmesh.error_queue.messages).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, uint> ErrorMessages { get; } = new();

    async Task<(uint Messages, uint Consumers)> Declared(string queue, CancellationToken cancellationToken)
    {
        _connection ??= await _broker.Connect("careplanmesh-endpoint-probe", cancellationToken);
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var declared = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            return (declared.MessageCount, declared.ConsumerCount);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException missing) when (missing.ShutdownReason?.ReplyCode == 404)
        {
            return (0, 0);
        }
    }

    async Task DropConnection()
    {
        if (_connection is null)
            return;
        try
        {
            // Abort, bounded: a close waits for the broker's close-ok, which a broker that stopped answering never sends.
            await _connection.AbortAsync(_timeout);
            await _connection.DisposeAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogDebug("Closing the probe connection failed ({ExceptionType})", exception.GetType().Name);
        }
        _connection = null;
    }

    public async ValueTask DisposeAsync()
    {
        await DropConnection();
        _gate.Dispose();
    }
}

/// <summary>
/// The broker the bus uses, for connections of the service's own (the endpoint probe, the error-queue gauge): the connection
/// string, and the nodes of a cluster (host:port, RabbitMq:ClusterNodes) when there are any.
/// </summary>
public sealed record BrokerAddress(Uri Uri, IReadOnlyList<string>? ClusterNodes = null)
{
    /// <summary>A connection to the broker; with a cluster, to the first of its nodes that answers.</summary>
    public Task<IConnection> Connect(string name, CancellationToken cancellationToken)
    {
        if (ClusterNodes is not { Count: > 0 } nodes)
            return Factory().CreateConnectionAsync(name, cancellationToken);
        var factory = Factory();
        var endpoints = nodes.Select(node => node.Split(':', 2)).Select(parts =>
            new AmqpTcpEndpoint(parts[0], parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : factory.Port)).ToList();
        return factory.CreateConnectionAsync(endpoints, name, cancellationToken);
    }

    public ConnectionFactory Factory()
    {
        var userInfo = Uri.UnescapeDataString(Uri.UserInfo).Split(':', 2);
        var virtualHost = Uri.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(Uri.AbsolutePath.TrimStart('/'));
        return new ConnectionFactory
        {
            HostName = Uri.Host,
            Port = Uri.IsDefaultPort ? 5672 : Uri.Port,
            VirtualHost = virtualHost,
            UserName = userInfo[0].Length > 0 ? userInfo[0] : "guest",
            Password = userInfo.Length > 1 ? userInfo[1] : "guest",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
            AutomaticRecoveryEnabled = false,
        };
    }
}

/// <summary>MassTransit's own state of each receive endpoint of this process, the bus's reply endpoint included.</summary>
public interface IReceiveEndpointStates
{
    /// <summary>The bus's own endpoint: the exclusive, temporary reply queue of request clients.</summary>
    Uri BusAddress { get; }

    /// <summary>Every receive endpoint MassTransit lists now, with its state.</summary>
    IEnumerable<(Uri InputAddress, BusHealthStatus Status)> Current();
}

/// <summary>The endpoint states as the bus reports them (<see cref="IBusControl.CheckHealth"/>).</summary>
public sealed class BusReceiveEndpointStates(IBusControl bus) : IReceiveEndpointStates
{
    public Uri BusAddress => bus.Address;

    public IEnumerable<(Uri InputAddress, BusHealthStatus Status)> Current() =>
        bus.CheckHealth().Endpoints.Values.Select(endpoint => (endpoint.InputAddress, endpoint.Status));
}
