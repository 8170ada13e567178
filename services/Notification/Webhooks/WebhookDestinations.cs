using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Notification.Webhooks;

/// <summary>
/// Where webhooks may go. Not into a private, loopback, link-local or otherwise non-public network (the relay must not
/// be made to post inside its own network: SSRF), except loopback where Webhooks:AllowLoopbackHttp allows it (the local
/// run) and the ranges an operator lists in Webhooks:AllowedNetworks. Checked when a webhook is registered and again on
/// every connection (<see cref="Connect"/>), which connects only to the addresses it checked, so a name that resolves
/// elsewhere later (DNS rebinding) is refused too.
/// </summary>
public sealed class WebhookDestinations(IOptions<WebhookOptions> options, IHostEnvironment environment)
{
    static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);
    readonly IPNetwork[] _allowed = [.. options.Value.AllowedNetworks.Select(network => IPNetwork.Parse(network))];

    /// <summary>Networks no webhook goes to unless allowed; an IPv4-mapped IPv6 address is judged as its IPv4 address.</summary>
    static readonly IPNetwork[] Blocked =
    [
        IPNetwork.Parse("0.0.0.0/8"),       // "this network", 0.0.0.0
        IPNetwork.Parse("10.0.0.0/8"),      // private
        IPNetwork.Parse("100.64.0.0/10"),   // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),     // loopback
        IPNetwork.Parse("169.254.0.0/16"),  // link-local, cloud metadata (169.254.169.254)
        IPNetwork.Parse("172.16.0.0/12"),   // private
        IPNetwork.Parse("192.0.0.0/24"),    // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),  // private
        IPNetwork.Parse("198.18.0.0/15"),   // benchmarking
        IPNetwork.Parse("224.0.0.0/4"),     // multicast
        IPNetwork.Parse("240.0.0.0/4"),     // reserved, broadcast
        IPNetwork.Parse("::/128"),          // unspecified
        IPNetwork.Parse("::1/128"),         // loopback
        IPNetwork.Parse("fc00::/7"),        // unique local
        IPNetwork.Parse("fe80::/10"),       // link-local
        IPNetwork.Parse("ff00::/8"),        // multicast
    ];

    /// <summary>The blocked network <paramref name="address"/> is in, or null when it is a public address.</summary>
    public static IPNetwork? BlockedNetwork(IPAddress address)
    {
        var judged = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in Blocked)
            if (network.Contains(judged))
                return network;
        return null;
    }

    /// <summary>Loopback is allowed exactly where http:// to loopback is: Development, or Webhooks:AllowLoopbackHttp.</summary>
    public bool LoopbackAllowed => options.Value.AllowLoopbackHttp ?? environment.IsDevelopment();

    /// <summary>The blocked network that keeps webhooks from <paramref name="address"/> here, or null when they may go there.</summary>
    public IPNetwork? Refusing(IPAddress address)
    {
        if (BlockedNetwork(address) is not { } network)
            return null;
        var judged = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (LoopbackAllowed && IPAddress.IsLoopback(judged))
            return null;
        return _allowed.Any(allowed => allowed.Contains(judged)) ? null : network;
    }

    /// <summary>
    /// At registration: the blocked network the URL's host is in or resolves into, or null. A name that does not resolve
    /// now is not refused (it may be set up later); every delivery checks again when it connects.
    /// </summary>
    public async Task<IPNetwork?> Refusing(Uri url, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Resolve(url.DnsSafeHost, cancellationToken);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        return addresses.Select(Refusing).FirstOrDefault(network => network is not null);
    }

    /// <summary>
    /// SocketsHttpHandler.ConnectCallback of the webhook client: resolves the host, refuses the connection when any of its
    /// addresses is refused (<see cref="WebhookDestinationRefusedException"/>), and otherwise connects to those addresses.
    /// </summary>
    public async ValueTask<Stream> Connect(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await Resolve(context.DnsEndPoint.Host, cancellationToken);
        foreach (var address in addresses)
            if (Refusing(address) is { } network)
                throw new WebhookDestinationRefusedException(network);

        SocketException? failure = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                failure = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw failure ?? new SocketException((int)SocketError.HostNotFound);
    }

    static async Task<IPAddress[]> Resolve(string host, CancellationToken cancellationToken)
    {
        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var literal))
            return [literal];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResolveTimeout);
        return await Dns.GetHostAddressesAsync(bare, timeout.Token);
    }
}

/// <summary>A webhook connection refused because the destination is in a blocked network (<see cref="WebhookDestinations"/>).</summary>
public sealed class WebhookDestinationRefusedException(IPNetwork network)
    : Exception($"The webhook's host is in the blocked network {network}; allow it with Webhooks:AllowedNetworks if it is meant.")
{
    public IPNetwork Network { get; } = network;
}
