namespace ContainerTest.ContainerRuntime.Tests;

using System.Net.Sockets;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Tests.Fixtures;
using global::Docker.DotNet.Models;

/// <summary>
/// The allow network policy on the real engine: a job reaches the listed host:port endpoints and
/// nothing else. Every "cannot reach" check has a control showing the same target is reachable
/// when the policy allows it (or under the open policy), so a check cannot pass merely because
/// the target was down.
/// </summary>
[TestClass]
public sealed class NetworkAllowListTests
{
    private const string HostName = "host.docker.internal";
    private static HostTcpServer? first;
    private static HostTcpServer? second;
    private static HostTcpServer? echo;
    private static string? bridgeGateway;
    private static string? hostAddress;

    private static int P1 => first!.Port;

    private static int P2 => second!.Port;

    private static NetworkPolicy OnlyP1 => NetworkPolicy.Allow(new NetworkEndpoint(HostName, P1));

    [ClassInitialize]
    public static async Task StartServersAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        first = HostTcpServer.Greeting("greetings-from-P1");
        second = HostTcpServer.Greeting("greetings-from-P2");
        echo = HostTcpServer.Echo();
        bridgeGateway = await HostAddresses.BridgeGatewayAsync(context.CancellationToken);
        hostAddress = HostAddresses.Other();
    }

    [ClassCleanup]
    public static async Task StopServersAsync()
    {
        foreach (var server in new[] { first, second, echo })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    [TestMethod]
    public void The_docker_backend_declares_the_allow_list_capability_on_a_local_linux_engine()
    {
        Assert.IsTrue(TestEngine.Backend.Capabilities.HasFlag(BackendCapabilities.NetworkAllowList));
    }

    [TestMethod]
    public async Task An_allowed_host_endpoint_answers_through_its_name()
    {
        var result = await (Toolbox.Shell($"nc -w 3 {HostName} {P1}; echo exit=$?") with { Network = OnlyP1 }).RunAsync();

        Assert.AreEqual("greetings-from-P1\nexit=0\n", result.Stdout.Text, result.Stderr.Text);
    }

    [TestMethod]
    public async Task Every_listed_endpoint_answers()
    {
        var both = NetworkPolicy.Allow(new NetworkEndpoint(HostName, P1), new NetworkEndpoint(HostName, P2));

        var result = await (Toolbox.Shell($"nc -w 3 {HostName} {P1}; nc -w 3 {HostName} {P2}") with { Network = both }).RunAsync();

        Assert.AreEqual("greetings-from-P1\ngreetings-from-P2\n", result.Stdout.Text, result.Stderr.Text);
    }

    [TestMethod]
    public async Task Another_port_of_an_allowed_host_is_refused()
    {
        // Control first, in the same job: the allowed port answers, so the network works.
        var result = await (Toolbox.Shell($"nc -w 3 {HostName} {P1}; nc -w 3 {HostName} {P2}; echo exit=$?") with { Network = OnlyP1 }).RunAsync();

        Assert.AreEqual("greetings-from-P1\nexit=1\n", result.Stdout.Text, result.Stderr.Text);
        StringAssert.Contains(result.Stderr.Text, "refused");
    }

    [TestMethod]
    public async Task The_host_is_unreachable_at_its_bridge_and_its_own_addresses()
    {
        var probe = string.Join("; ", new[] { bridgeGateway, hostAddress }.SelectMany(ip => new[] { P1, P2 }.Select(port => $"nc -w 3 {ip} {port} && echo reached-{ip}-{port}")));

        var allowed = await (Toolbox.Shell(probe) with { Network = OnlyP1 }).RunAsync();
        var open = await (Toolbox.Shell(probe) with { Network = NetworkPolicy.Open }).RunAsync();

        Assert.AreEqual(string.Empty, allowed.Stdout.Text, "the allow-listed job reached the host directly");
        // Control: without the policy, the same addresses and ports answer.
        StringAssert.Contains(open.Stdout.Text, $"greetings-from-P1\nreached-{bridgeGateway}-{P1}");
        StringAssert.Contains(open.Stdout.Text, $"greetings-from-P2\nreached-{hostAddress}-{P2}");
    }

    [TestMethod]
    public async Task Outside_addresses_are_unreachable()
    {
        var result = await (Toolbox.Shell($"nc -w 3 {HostName} {P1}; nc -w 3 10.255.255.1 80 && echo reached-10; nc -w 3 1.1.1.1 53 && echo reached-1111; nslookup example.com >/dev/null 2>&1 && echo resolved")
            with { Network = OnlyP1 }).RunAsync();

        Assert.AreEqual("greetings-from-P1\n", result.Stdout.Text, result.Stderr.Text);
    }

    [TestMethod]
    public async Task Other_containers_are_unreachable_even_those_on_the_same_allow_list()
    {
        // A server in a container on the engine's default bridge, and one in another job with the same allow-list.
        var bridged = StartServer(NetworkPolicy.Open, "from-bridged-server");
        var sibling = StartServer(OnlyP1, "from-sibling-job");
        try
        {
            var targets = new[] { await bridged.Address, await sibling.Address };
            var probe = string.Join("; ", targets.Select(ip => $"nc -w 3 {ip} 9000 && echo reached-{ip}"));

            var allowed = await (Toolbox.Shell($"nc -w 3 {HostName} {P1}; {probe}") with { Network = OnlyP1 }).RunAsync();
            var open = await (Toolbox.Shell($"nc -w 3 {targets[0]} 9000") with { Network = NetworkPolicy.Open }).RunAsync();

            Assert.AreEqual("greetings-from-P1\n", allowed.Stdout.Text, allowed.Stderr.Text);
            Assert.AreEqual("from-bridged-server\n", open.Stdout.Text, "control: the bridged server answers an open job");
        }
        finally
        {
            await bridged.StopAsync();
            await sibling.StopAsync();
        }
    }

    [TestMethod]
    public async Task Data_flows_both_ways_and_a_half_close_reaches_the_service()
    {
        var policy = NetworkPolicy.Allow(new NetworkEndpoint(HostName, echo!.Port));

        // The echo service answers only after the client has finished sending: the gateway must pass the half-close on.
        var result = await (Toolbox.Shell($"head -c 200000 /dev/zero | tr '\\0' a | nc -w 5 {HostName} {echo.Port} | wc -c; echo hello | nc -w 5 {HostName} {echo.Port}")
            with { Network = policy }).RunAsync();

        Assert.AreEqual("200000\nHELLO\n", result.Stdout.Text, result.Stderr.Text);
    }

    [TestMethod]
    public async Task The_job_has_no_ipv6_and_no_way_to_the_internet_by_name()
    {
        var result = await (Toolbox.Shell("cat /proc/sys/net/ipv6/conf/all/disable_ipv6; cat /proc/net/if_inet6 | wc -l; cat /etc/hosts | grep -c host.docker.internal") with { Network = OnlyP1 }).RunAsync();

        Assert.AreEqual("1\n0\n1\n", result.Stdout.Text, result.Stderr.Text);
    }

    [TestMethod]
    [DataRow("127.0.0.1")]
    [DataRow("localhost")]
    [DataRow("::1")]
    public async Task A_loopback_endpoint_is_refused_with_a_hint(string host)
    {
        var spec = Toolbox.Shell("true") with { Network = NetworkPolicy.Allow(new NetworkEndpoint(host, 5432)) };

        var error = await Assert.ThrowsExactlyAsync<InvalidJobSpecException>(() => spec.RunAsync());

        StringAssert.Contains(error.Message, "loopback");
        StringAssert.Contains(error.Message, "host.docker.internal:5432");
        StringAssert.Contains(error.Message, "0.0.0.0");
    }

    [TestMethod]
    public async Task An_ip_address_endpoint_is_refused_with_a_hint()
    {
        var spec = Toolbox.Shell("true") with { Network = NetworkPolicy.Allow(new NetworkEndpoint("172.17.0.1", 5432)) };

        var error = await Assert.ThrowsExactlyAsync<InvalidJobSpecException>(() => spec.RunAsync());

        StringAssert.Contains(error.Message, "host name");
        StringAssert.Contains(error.Message, "host.docker.internal");
    }

    [TestMethod]
    public async Task A_host_that_does_not_resolve_is_refused()
    {
        var spec = Toolbox.Shell("true") with { Network = NetworkPolicy.Allow(new NetworkEndpoint("no-such-host.invalid", 5432)) };

        var error = await Assert.ThrowsExactlyAsync<InvalidJobSpecException>(() => spec.RunAsync());

        StringAssert.Contains(error.Message, "'no-such-host.invalid' does not resolve");
    }

    [TestMethod]
    public async Task A_gateway_image_without_dotnet_is_reported_and_leaves_nothing_behind()
    {
        var runId = "allow-" + Guid.NewGuid().ToString("N")[..8];
        var backend = await DockerBackend.ConnectAsync(new DockerBackendOptions { RunId = runId, GatewayImage = TestEngine.ToolboxImage });
        await using (backend)
        {
            var error = await Assert.ThrowsExactlyAsync<ContainerRuntimeException>(() => backend.RunAsync(Toolbox.Shell("true") with { Network = OnlyP1 }));

            StringAssert.Contains(error.Message, "`dotnet`");
            StringAssert.Contains(error.Message, "GatewayImage");
            Assert.AreEqual(RetryClass.NotRetryable, error.Retry);
            Assert.AreEqual(0, (await TestEngine.ContainersWithLabelAsync(ContainerLabels.RunId, runId)).Count, "the failed gateway was not removed");

            // Control: the same backend still runs other jobs.
            Assert.AreEqual(0, (await backend.RunAsync(Toolbox.Shell("true"))).ExitCode);
        }

        Assert.AreEqual(0, (await NetworksOfRunAsync(runId)).Count);
    }

    [TestMethod]
    public async Task The_gateway_is_hardened_and_everything_goes_with_the_backend()
    {
        var runId = "allow-" + Guid.NewGuid().ToString("N")[..8];
        var backend = await DockerBackend.ConnectAsync(new DockerBackendOptions { RunId = runId });
        IList<ContainerListResponse> gateways;
        IList<NetworkResponse> networks;
        await using (backend)
        {
            var result = await backend.RunAsync(Toolbox.Shell($"nc -w 3 {HostName} {P1}") with { Network = OnlyP1 });
            Assert.AreEqual("greetings-from-P1\n", result.Stdout.Text, result.Stderr.Text);

            gateways = await TestEngine.ContainersWithLabelAsync(ContainerLabels.RunId, runId);
            networks = await NetworksOfRunAsync(runId);
            Assert.AreEqual(1, gateways.Count, "one gateway, and the job's container is gone");
            Assert.AreEqual(1, networks.Count, "one job network");
            Assert.AreEqual("network-gateway", gateways[0].Labels[ContainerLabels.Kind]);
            Assert.AreEqual("network", networks[0].Labels[ContainerLabels.Kind]);
            Assert.IsTrue(networks[0].Internal);
            Assert.AreEqual("true", networks[0].Options["com.docker.network.bridge.inhibit_ipv4"]);

            var inspected = await TestEngine.Inspector.Containers.InspectContainerAsync(gateways[0].ID, CancellationToken.None);
            var host = inspected.HostConfig!;
            CollectionAssert.Contains(host.CapDrop!.ToList(), "ALL");
            CollectionAssert.Contains(host.SecurityOpt!.ToList(), "no-new-privileges");
            Assert.IsTrue(host.Memory > 0);
            Assert.IsTrue(host.PidsLimit > 0);
            Assert.AreEqual("0", host.Sysctls!["net.ipv4.ip_forward"]);
            Assert.AreEqual("65534:65534", inspected.Config!.User);

            // A second job with the same list reuses the gateway and the (now free) network.
            await backend.RunAsync(Toolbox.Shell("true") with { Network = OnlyP1 });
            Assert.AreEqual(1, (await TestEngine.ContainersWithLabelAsync(ContainerLabels.RunId, runId)).Count);
            Assert.AreEqual(1, (await NetworksOfRunAsync(runId)).Count);
        }

        Assert.AreEqual(0, (await TestEngine.ContainersWithLabelAsync(ContainerLabels.RunId, runId)).Count, "containers of the run were left behind");
        Assert.AreEqual(0, (await NetworksOfRunAsync(runId)).Count, "networks of the run were left behind");
    }

    private static Task<IList<NetworkResponse>> NetworksOfRunAsync(string runId) => TestEngine.NetworksWithLabelAsync(ContainerLabels.RunId, runId);

    /// <summary>Starts a job that serves one greeting on port 9000 and reports its address.</summary>
    private static BackgroundServer StartServer(NetworkPolicy policy, string greeting)
    {
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = new CancellationTokenSource();
        var observer = new AddressObserver(address);
        var spec = Toolbox.Shell($"echo ip=$(hostname -i); nc -l -p 9000 -e echo {greeting}; sleep 60") with { Network = policy };
        var running = spec.RunAsync(observer, stop.Token);
        return new BackgroundServer(address.Task.WaitAsync(TimeSpan.FromSeconds(60)), running, stop);
    }

    private sealed record BackgroundServer(Task<string> Address, Task<JobResult> Running, CancellationTokenSource Stop)
    {
        public async Task StopAsync()
        {
            await Stop.CancelAsync();
            await Running;
            Stop.Dispose();
        }
    }

    private sealed class AddressObserver(TaskCompletionSource<string> address) : IJobObserver
    {
        private string text = string.Empty;

        public void OnStarted(string jobId, string instanceId)
        {
        }

        public void OnOutput(string jobId, OutputChannel channel, ReadOnlySpan<byte> chunk)
        {
            text += System.Text.Encoding.UTF8.GetString(chunk);
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("ip=", StringComparison.Ordinal) && text.Contains('\n', StringComparison.Ordinal));
            if (line is not null)
            {
                address.TrySetResult(line["ip=".Length..].Trim());
            }
        }
    }
}
