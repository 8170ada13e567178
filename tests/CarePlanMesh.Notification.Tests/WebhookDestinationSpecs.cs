using System.Net;
using System.Net.Sockets;
using System.Text;
using CarePlanMesh.Notification.Webhooks;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace CarePlanMesh.Notification.Tests;

/// <summary>Which addresses webhooks may go to (SSRF): the blocked networks, the loopback rule and Webhooks:AllowedNetworks.</summary>
public sealed class WebhookDestinationSpecs
{
    static WebhookDestinations Destinations(string environment, bool? allowLoopbackHttp = null, params string[] allowedNetworks) =>
        new(Options.Create(new WebhookOptions { AllowLoopbackHttp = allowLoopbackHttp, AllowedNetworks = allowedNetworks }),
            new HostingEnvironment { EnvironmentName = environment });

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.0/8")]
    [InlineData("10.255.255.255", "10.0.0.0/8")]
    [InlineData("172.16.0.1", "172.16.0.0/12")]
    [InlineData("172.31.255.254", "172.16.0.0/12")]
    [InlineData("192.168.1.10", "192.168.0.0/16")]
    [InlineData("100.64.0.1", "100.64.0.0/10")]
    [InlineData("100.127.255.255", "100.64.0.0/10")]
    [InlineData("127.0.0.1", "127.0.0.0/8")]
    [InlineData("127.8.9.10", "127.0.0.0/8")]
    [InlineData("169.254.169.254", "169.254.0.0/16")]
    [InlineData("0.0.0.0", "0.0.0.0/8")]
    [InlineData("224.0.0.1", "224.0.0.0/4")]
    [InlineData("255.255.255.255", "240.0.0.0/4")]
    public void Blocks_private_loopback_link_local_and_reserved_IPv4_addresses(string address, string network) =>
        Assert.Equal(network, WebhookDestinations.BlockedNetwork(IPAddress.Parse(address))?.ToString());

    [Theory]
    [InlineData("::1", "::1/128")]
    [InlineData("::", "::/128")]
    [InlineData("fc00::1", "fc00::/7")]
    [InlineData("fd12:3456:789a::1", "fc00::/7")]
    [InlineData("fe80::1", "fe80::/10")]
    [InlineData("febf::1", "fe80::/10")]
    [InlineData("ff02::1", "ff00::/8")]
    public void Blocks_loopback_unique_local_link_local_and_multicast_IPv6_addresses(string address, string network) =>
        Assert.Equal(network, WebhookDestinations.BlockedNetwork(IPAddress.Parse(address))?.ToString());

    [Theory]
    [InlineData("::ffff:10.0.0.1", "10.0.0.0/8")]
    [InlineData("::ffff:127.0.0.1", "127.0.0.0/8")]
    [InlineData("::ffff:169.254.169.254", "169.254.0.0/16")]
    [InlineData("::ffff:192.168.0.1", "192.168.0.0/16")]
    public void Judges_an_IPv4_mapped_IPv6_address_as_its_IPv4_address(string address, string network) =>
        Assert.Equal(network, WebhookDestinations.BlockedNetwork(IPAddress.Parse(address))?.ToString());

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.167.255.255")]
    [InlineData("169.253.0.1")]
    [InlineData("203.0.114.1")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2404:6800:4004::200e")]
    [InlineData("fec0::1")]
    [InlineData("::ffff:8.8.8.8")]
    public void Lets_public_addresses_through(string address) =>
        Assert.Null(WebhookDestinations.BlockedNetwork(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_is_allowed_in_development_and_with_AllowLoopbackHttp_and_refused_otherwise(string address)
    {
        var loopback = IPAddress.Parse(address);
        Assert.Null(Destinations("Development").Refusing(loopback));
        Assert.Null(Destinations("Production", allowLoopbackHttp: true).Refusing(loopback));
        Assert.NotNull(Destinations("Production").Refusing(loopback));
        Assert.NotNull(Destinations("Development", allowLoopbackHttp: false).Refusing(loopback));
    }

    [Fact]
    public void The_loopback_allowance_lets_no_other_private_address_through()
    {
        var development = Destinations("Development");
        Assert.Equal("10.0.0.0/8", development.Refusing(IPAddress.Parse("10.0.0.1"))?.ToString());
        Assert.Equal("169.254.0.0/16", development.Refusing(IPAddress.Parse("169.254.169.254"))?.ToString());
    }

    [Fact]
    public void AllowedNetworks_lets_exactly_the_listed_ranges_through()
    {
        var onPremises = Destinations("Production", null, "10.20.0.0/16", "fd00:1::/32");
        Assert.Null(onPremises.Refusing(IPAddress.Parse("10.20.3.4")));
        Assert.Null(onPremises.Refusing(IPAddress.Parse("::ffff:10.20.3.4")));
        Assert.Null(onPremises.Refusing(IPAddress.Parse("fd00:1:2::3")));
        Assert.Equal("10.0.0.0/8", onPremises.Refusing(IPAddress.Parse("10.21.0.1"))?.ToString());
        Assert.Equal("fc00::/7", onPremises.Refusing(IPAddress.Parse("fd00:2::1"))?.ToString());
        Assert.Equal("127.0.0.0/8", onPremises.Refusing(IPAddress.Parse("127.0.0.1"))?.ToString());
    }

    [Theory]
    [InlineData("https://10.0.0.1/hook", "10.0.0.0/8")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "169.254.0.0/16")]
    [InlineData("https://[::ffff:192.168.0.1]/hook", "192.168.0.0/16")]
    [InlineData("https://[fe80::1]:8443/hook", "fe80::/10")]
    [InlineData("https://localhost/hook", null)]
    public async Task A_URL_is_refused_when_its_host_is_or_resolves_into_a_blocked_network(string url, string? network)
    {
        var refusing = await Destinations("Production").Refusing(new Uri(url), CancellationToken.None);
        Assert.NotNull(refusing);
        if (network is not null)
            Assert.Equal(network, refusing.ToString());
    }

    [Fact]
    public async Task A_public_address_and_a_name_that_does_not_resolve_are_not_refused_at_registration()
    {
        var production = Destinations("Production");
        Assert.Null(await production.Refusing(new Uri("https://203.0.114.5/hook"), CancellationToken.None));
        Assert.Null(await production.Refusing(new Uri("https://hooks.careplanmesh.invalid/hook"), CancellationToken.None));
    }

    [Fact]
    public async Task The_connect_callback_refuses_a_blocked_address_before_any_connection()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var client = Client(Destinations("Production"));
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;

            var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync($"http://localhost:{port}/hook", new StringContent("{}")));

            Assert.IsType<WebhookDestinationRefusedException>(failure.InnerException);
            await Task.Delay(200);
            Assert.False(listener.Pending());
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task The_connect_callback_connects_to_an_allowed_address()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var client = Client(Destinations("Production", null, "127.0.0.0/8"));
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var answer = Task.Run(async () =>
            {
                using var socket = await listener.AcceptSocketAsync();
                var buffer = new byte[4096];
                var read = await socket.ReceiveAsync(buffer);
                await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"));
                return Encoding.ASCII.GetString(buffer, 0, read);
            });

            using var response = await client.PostAsync($"http://127.0.0.1:{port}/hook", new StringContent("{}"));

            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.StartsWith("POST /hook HTTP/1.1", await answer);
        }
        finally
        {
            listener.Stop();
        }
    }

    static HttpClient Client(WebhookDestinations destinations) =>
        new(new SocketsHttpHandler { ConnectCallback = destinations.Connect, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
}
