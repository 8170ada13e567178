using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CarePlanMesh.ServiceDefaults.Tests;

/// <summary>
/// A TCP proxy on loopback in front of the test's RabbitMQ. Forwarding, it passes every connection through; silent, it
/// accepts connections and never answers, as a broker node that is booting or stuck may. <see cref="DropAll"/> resets
/// every connection it holds, as a broker that went away does.
/// </summary>
sealed class SilentBrokerProxy : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly int _target;
    readonly ConcurrentBag<TcpClient> _held = [];
    int _accepted;

    public SilentBrokerProxy(int target)
    {
        _target = target;
        _listener.Start();
        _ = Task.Run(Accept);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Whether connections accepted from now on are held without an answer.</summary>
    public bool Silent { get; set; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    async Task Accept()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                return;
            }
            _held.Add(client);
            Interlocked.Increment(ref _accepted);
            if (Silent)
                continue;
            var upstream = new TcpClient();
            _held.Add(upstream);
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _target);
            }
            catch (SocketException)
            {
                client.Dispose();
                continue;
            }
            _ = Pump(client.GetStream(), upstream.GetStream());
            _ = Pump(upstream.GetStream(), client.GetStream());
        }
    }

    static async Task Pump(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
        }
        to.Dispose();
    }

    public void DropAll()
    {
        while (_held.TryTake(out var client))
        {
            try
            {
                // A reset, not a polite close: the broker went away.
                client.Client.LingerState = new LingerOption(true, 0);
            }
            catch (ObjectDisposedException)
            {
                // Closed already by its pump.
            }
            client.Dispose();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        DropAll();
    }
}
