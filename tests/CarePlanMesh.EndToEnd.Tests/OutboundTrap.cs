using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// A proxy that forwards nothing: every connection is noted with its first line (e.g. "CONNECT host:443") and closed,
/// so a service that tries to reach the internet is both refused and caught.
/// </summary>
public sealed class OutboundTrap : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();

    public OutboundTrap()
    {
        _listener.Start();
        Address = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _ = Accept();
    }

    public string Address { get; }

    /// <summary>A host no test may reach otherwise: the positive control's outbound call names it.</summary>
    public const string ControlHost = "outbound-control.invalid";

    /// <summary>The environment that sends a process's outbound HTTP here, loopback excepted (as every service of the mesh runs).</summary>
    public IReadOnlyDictionary<string, string> ProxyEnvironment => new Dictionary<string, string>
    {
        ["HTTP_PROXY"] = Address, ["HTTPS_PROXY"] = Address, ["ALL_PROXY"] = Address, ["NO_PROXY"] = "127.0.0.1,localhost,::1",
    };

    /// <summary>The first request line of every attempt.</summary>
    public ConcurrentQueue<string> Attempts { get; } = new();

    async Task Accept()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var buffer = new byte[512];
                using var read = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var count = await client.GetStream().ReadAsync(buffer, read.Token);
                Attempts.Enqueue(Encoding.ASCII.GetString(buffer, 0, count).Split('\r', '\n')[0]);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                Attempts.Enqueue("(a connection that sent nothing)");
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
