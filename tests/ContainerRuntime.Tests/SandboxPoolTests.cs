namespace ContainerTest.ContainerRuntime.Tests;

using System.Diagnostics;
using System.Text;
using ContainerTest.ContainerRuntime.Backends.Sandbox;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

/// <summary>
/// A sandbox pool runs each job in a fresh sandbox inside long-lived worker containers: a worker
/// per parallel slot and per warm sandbox, never one per job, and every one removed at the end.
/// </summary>
[TestClass]
public sealed class SandboxPoolTests
{
    private const string PoolLabel = "io.containertest.test-pool";

    [TestMethod]
    public async Task Each_job_gets_a_sandbox_of_its_own_in_a_few_workers()
    {
        var (template, marker) = await TemplateAsync("read line; echo \"$line in $(hostname)\"");
        var clock = Stopwatch.StartNew();
        var pool = await SandboxWorkerPool.StartAsync(TestEngine.Backend, template, new JobPoolOptions(Capacity: 12, Parallelism: 2, Depth: 1), CancellationToken.None);
        await using (pool)
        {
            var results = await Task.WhenAll(Enumerable.Range(1, 12).Select(i => pool.RunAsync(Line($"job{i}"))));
            var lines = results.Select(r => r.Stdout.Text.Trim()).ToList();
            Console.WriteLine($"{clock.Elapsed}: " + string.Join(" | ", lines) + " :: " + string.Join(" | ", results.Select(r => $"{r.Termination} {r.ExitCode} {r.FailureCause} {r.Stderr.Text}")));
            Assert.IsTrue(results.All(r => r.Termination == TerminationReason.Exited && r.ExitCode == 0), string.Join(" | ", results.Select(r => $"{r.Termination} {r.ExitCode} {r.FailureCause} {r.Stderr.Text}")));
            Assert.AreEqual(12, lines.Select(l => l.Split(' ')[2]).Distinct().Count(), "each job had a sandbox (host name) of its own: " + string.Join(" | ", lines));
            Assert.IsTrue(results.All(r => r.InstanceKind == "sandbox" && r.InstanceId == r.Stdout.Text.Trim().Split(' ')[2]), "the result names the sandbox");
        }

        Assert.AreEqual(0, (await TestEngine.ContainersWithLabelAsync(PoolLabel, marker)).Count, "every worker is removed");
    }

    [TestMethod]
    public async Task A_job_and_the_warm_sandbox_after_it_outlive_the_supervisors_idle_threads()
    {
        // The thread that starts a sandbox may retire while the sandbox lives (.NET retires a pool
        // thread idle for 20 s); bubblewrap's parent-death signal must not follow it: neither the
        // quiet job nor the next job's sandbox, warmed meanwhile, may die with it.
        var (template, _) = await TemplateAsync("read seconds; sleep $seconds; echo still-here");
        var pool = await SandboxWorkerPool.StartAsync(TestEngine.Backend, template, new JobPoolOptions(2, 1, 1), CancellationToken.None);
        await using (pool)
        {
            var results = await Task.WhenAll(pool.RunAsync(Line("30")), pool.RunAsync(Line("0")));

            foreach (var result in results)
            {
                Assert.AreEqual("still-here\n", result.Stdout.Text, $"{result.Termination} {result.ExitCode} {result.Stderr.Text}");
                Assert.AreEqual(0, result.ExitCode);
            }
        }
    }

    [TestMethod]
    public async Task An_interactive_sandbox_left_idle_longer_than_an_idle_thread_lives_stays_open()
    {
        // The shell's sandbox was started from a thread-pool thread, which .NET retires after 20 s
        // idle, and bubblewrap's parent-death signal killed the shell with it (see SpawningThread).
        var (template, _) = await TemplateAsync("exec sh");
        using var terminal = new PipeTerminal();
        var running = SandboxInteractiveJob.RunAsync(TestEngine.Backend, template, terminal, "shell", CancellationToken.None);
        Assert.IsTrue(await terminal.WaitForAsync("$ ", TimeSpan.FromSeconds(60)), "no prompt:\n" + terminal.Text);
        await Task.Delay(TimeSpan.FromSeconds(25));

        await terminal.TypeLineAsync("echo still-$((20 + 22)); exit 7");
        var result = await running.WaitAsync(TimeSpan.FromSeconds(30));

        StringAssert.Contains(terminal.Text, "still-42", "the shell answered after 25 s idle");
        Assert.AreEqual(7, result.ExitCode, terminal.Text);
        Assert.AreEqual("sandbox", result.InstanceKind);
    }

    [TestMethod]
    public async Task Network_none_and_loopback_reach_only_the_sandboxs_own_loopback_while_open_reaches_the_host()
    {
        await using var server = HostTcpServer.Greeting("hello-from-host");
        var gateway = await HostAddresses.BridgeGatewayAsync();
        var script = $"nc -l -p 7000 -e echo pong & sleep 0.5; nc -w 3 127.0.0.1 7000; sleep 1 | nc -w 3 {gateway} {server.Port} || echo host-unreachable; echo interfaces: $(ls /sys/class/net)";

        var results = new Dictionary<string, JobResult>();
        foreach (var (name, policy) in new[] { ("none", NetworkPolicy.None), ("loopback", NetworkPolicy.Loopback), ("open", NetworkPolicy.Open) })
        {
            var (template, _) = await TemplateAsync(script);
            var pool = await SandboxWorkerPool.StartAsync(TestEngine.Backend, template with { Network = policy }, new JobPoolOptions(1, 1, 0), CancellationToken.None);
            await using (pool)
            {
                results[name] = await pool.RunAsync(ReadOnlyMemory<byte>.Empty);
            }
        }

        foreach (var isolated in new[] { "none", "loopback" })
        {
            Assert.AreEqual("pong\nhost-unreachable\ninterfaces: lo\n", results[isolated].Stdout.Text, $"{isolated}: {results[isolated].Stderr.Text}");
        }

        StringAssert.Contains(results["open"].Stdout.Text, "pong\nhello-from-host", "control: with an open network the host answers: " + results["open"].Stderr.Text);
    }

    [TestMethod]
    public async Task An_allow_list_reaches_the_listed_endpoint_and_nothing_else_from_a_sandbox()
    {
        await using var allowed = HostTcpServer.Greeting("greetings-from-allowed");
        await using var other = HostTcpServer.Greeting("greetings-from-other");
        var script = $"nc -w 3 host.docker.internal {allowed.Port}; nc -w 3 host.docker.internal {other.Port} || echo other-refused";
        var (template, _) = await TemplateAsync(script);
        var policy = NetworkPolicy.Allow(new NetworkEndpoint("host.docker.internal", allowed.Port));
        var pool = await SandboxWorkerPool.StartAsync(TestEngine.Backend, template with { Network = policy }, new JobPoolOptions(2, 1, 1), CancellationToken.None);
        await using (pool)
        {
            foreach (var result in await Task.WhenAll(pool.RunAsync(ReadOnlyMemory<byte>.Empty), pool.RunAsync(ReadOnlyMemory<byte>.Empty)))
            {
                Assert.AreEqual("greetings-from-allowed\nother-refused\n", result.Stdout.Text, result.Stderr.Text);
                Assert.AreEqual("sandbox", result.InstanceKind);
            }
        }
    }

    /// <summary>A template on the host image (the supervisor needs .NET), with busybox's sh for the scripts.</summary>
    private static async Task<(JobSpec Template, string Marker)> TemplateAsync(string script)
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var image = await TestEngine.Backend.EnsureHostImageAsync();
        var template = new JobSpec
        {
            Image = image,
            Command = ["/.t/busybox", "sh", "-c", "export PATH=/.t:$PATH; " + script],
            Layers = [new FileLayer("/.t/busybox", await File.ReadAllBytesAsync("/bin/busybox"), FileLayer.ExecutableMode), .. Applets("sh", "hostname", "cat", "ls", "echo", "sleep", "id", "ps", "touch", "mkdir", "nc")],
            User = new UserIdentity(1000, 1000),
            Mounts = [new TmpfsMount("/tmp", 16 * 1024 * 1024)],
            Limits = new ResourceLimits(MemoryBytes: 256L * 1024 * 1024, Pids: 256),
            Labels = new Dictionary<string, string> { [PoolLabel] = marker },
            StopWhenOwnerExits = true,
        };
        return (template, marker);
    }

    private static IEnumerable<Layer> Applets(params string[] names) => names.Select(n => new SymlinkLayer("/.t/" + n, "busybox"));

    private static byte[] Line(string text) => Encoding.UTF8.GetBytes(text + "\n");
}
