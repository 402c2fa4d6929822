namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Net;
using System.Net.Sockets;
using System.Text;

/// <summary>A TCP server on the host (all interfaces, free port) that sends a greeting to each client.</summary>
internal sealed class HostGreeter : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Task serving;

    private HostGreeter(TcpListener listener, string greeting, string bridgeGateway)
    {
        this.listener = listener;
        BridgeGateway = bridgeGateway;
        serving = Task.Run(() => ServeAsync(Encoding.ASCII.GetBytes(greeting + "\n")));
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The host's address on Docker's default bridge, the address containers would reach it at.</summary>
    public string BridgeGateway { get; }

    public static async Task<HostGreeter> StartAsync(string greeting)
    {
        var bridge = await TestEngine.Inspector.Networks.InspectNetworkAsync("bridge", CancellationToken.None);
        var config = bridge.IPAM.Config.First();
        // The default bridge often states only its subnet; its gateway (the host) is then the subnet's first address.
        var gateway = string.IsNullOrEmpty(config.Gateway) ? FirstAddress(config.Subnet) : config.Gateway;
        var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return new HostGreeter(listener, greeting, gateway);
    }

    private static string FirstAddress(string subnet)
    {
        var bytes = IPAddress.Parse(subnet.Split('/')[0]).GetAddressBytes();
        bytes[^1]++;
        return new IPAddress(bytes).ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await serving;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stop.Dispose();
    }

    private async Task ServeAsync(byte[] greeting)
    {
        while (!stop.IsCancellationRequested)
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            await client.GetStream().WriteAsync(greeting, stop.Token);
        }
    }
}
