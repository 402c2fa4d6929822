namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Net.NetworkInformation;
using System.Net.Sockets;

/// <summary>This machine's addresses, as containers would try to reach it.</summary>
internal static class HostAddresses
{
    /// <summary>The host's end of the engine's default bridge (docker0, usually 172.17.0.1).</summary>
    public static async Task<string> BridgeGatewayAsync(CancellationToken cancellationToken = default)
    {
        var bridge = await TestEngine.Inspector.Networks.InspectNetworkAsync("bridge", cancellationToken);
        var bridgeInterface = bridge.Options.TryGetValue("com.docker.network.bridge.name", out var name) ? name : "docker0";
        return Ipv4Of(NetworkInterface.GetAllNetworkInterfaces().Where(n => n.Name == bridgeInterface)).First();
    }

    /// <summary>One of the host's addresses on a real interface (not loopback, not Docker's).</summary>
    public static string Other() =>
        Ipv4Of(NetworkInterface.GetAllNetworkInterfaces().Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback
            && !n.Name.StartsWith("docker", StringComparison.Ordinal) && !n.Name.StartsWith("br-", StringComparison.Ordinal) && !n.Name.StartsWith("veth", StringComparison.Ordinal))).First();

    private static IEnumerable<string> Ipv4Of(IEnumerable<NetworkInterface> interfaces) =>
        interfaces.SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => a.Address.ToString());
}
