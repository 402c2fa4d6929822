namespace ContainerTest.ContainerRuntime.Tests;

using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

[TestClass]
public sealed class NetworkIsolationTests
{
    [TestMethod]
    public async Task None_reaches_nothing_not_even_the_host_while_open_does()
    {
        await using var server = HostTcpServer.Greeting("hello-from-host");
        var gateway = await HostAddresses.BridgeGatewayAsync();
        // sleep keeps nc's stdin open long enough to read the greeting (nc quits at end of input).
        var probe = $"sleep 1 | nc -w 3 {gateway} {server.Port}; echo status=$?";

        var isolated = await (Toolbox.Shell(probe) with { Network = NetworkPolicy.None }).RunAsync();
        var open = await (Toolbox.Shell(probe) with { Network = NetworkPolicy.Open }).RunAsync();

        StringAssert.Contains(open.Stdout.Text, "hello-from-host", "control: with an open network the host answers");
        Assert.IsFalse(isolated.Stdout.Text.Contains("hello-from-host", StringComparison.Ordinal));
        StringAssert.Contains(isolated.Stdout.Text, "status=1");
        StringAssert.Contains(isolated.Stderr.Text, "unreachable");
    }

    [TestMethod]
    public async Task None_has_no_interface_but_loopback_and_no_route()
    {
        var result = await (Toolbox.Shell("ls /sys/class/net; echo routes:; ip route") with { Network = NetworkPolicy.None }).RunAsync();

        Assert.AreEqual("lo\nroutes:\n", result.Stdout.Text);
    }

    [TestMethod]
    public async Task Loopback_lets_a_job_talk_to_itself_and_to_nothing_else()
    {
        var script = "nc -l -p 7000 -e echo pong & sleep 0.5; nc -w 3 127.0.0.1 7000; wget -T 3 -q -O- http://10.255.255.1/ || echo outside-unreachable";

        var result = await (Toolbox.Shell(script) with { Network = NetworkPolicy.Loopback }).RunAsync();

        Assert.AreEqual("pong\noutside-unreachable\n", result.Stdout.Text, result.Stderr.Text);
    }
}
