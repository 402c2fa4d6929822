namespace ContainerTest.ContainerRuntime.Tests;

using System.Text;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Backends.Sandbox;
using ContainerTest.ContainerRuntime.Backends.Swarm;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Services;
using ContainerTest.ContainerRuntime.Tests.Fixtures;
using ContainerTest.Tests.Swarm;

/// <summary>
/// Sandbox workers on a real Swarm of three nodes (three dockerd on this machine, each in
/// namespaces of its own) that pull from a real registry, below the adapter: a node drained under
/// running jobs. (A whole suite on every node, a node killed and the test host killed are
/// TestAdapter.Tests' SwarmRunTests.)
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SwarmPoolTests
{
    private static readonly string[] Applets = ["sh", "hostname", "cat", "ls", "echo", "sleep", "id", "touch", "wc", "nc", "printf", "grep"];
    private static SwarmCluster? cluster;

    private static SwarmCluster Cluster => cluster ?? throw new InvalidOperationException("The class fixture did not run.");

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext context) => cluster = await SwarmCluster.StartAsync(3, context.CancellationToken);

    [ClassCleanup]
    public static async Task RemoveClusterAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task A_drained_node_fails_the_job_it_was_running_saying_so_and_the_next_jobs_run_on_the_other_nodes()
    {
        await using var manager = await DockerBackend.ConnectAsync(new DockerBackendOptions { Endpoint = new Uri(Cluster.DockerHost), RunId = "swarmtest-" + Guid.NewGuid().ToString("N")[..8] });
        var template = await TemplateAsync(manager, "read seconds; echo \"node=$CONTAINERTEST_NODE\"; sleep $seconds");
        var swarm = await SwarmBackend.ConnectAsync(manager, Cluster.Registry);
        await using (swarm)
        {
            var pool = await SandboxWorkerPool.StartAsync(swarm, template, new JobPoolOptions(Capacity: 24, Parallelism: 6, Depth: 0), CancellationToken.None);
            await using (pool)
            {
                // Short jobs until every node has a worker ready, then long ones: node 2 is drained under them.
                var warmUp = new List<JobResult>();
                while (warmUp.Count < 12 && Nodes(warmUp).Count < 3)
                {
                    warmUp.AddRange(await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => pool.RunAsync("1\n"u8.ToArray()))));
                }

                var seen = new NodeWatch();
                var running = Enumerable.Range(0, 6).Select(_ => pool.RunAsync("10\n"u8.ToArray(), seen)).ToList();
                await WaitForAsync(() => Task.FromResult(seen.Nodes.Contains("n2")), TimeSpan.FromSeconds(30), "a long job runs on node 2");
                await DockerCliAsync("node", "update", "--availability", "drain", "n2");
                try
                {
                    var results = await Task.WhenAll(running).WaitAsync(TimeSpan.FromMinutes(1));
                    var report = string.Join("\n", results.Select(r => $"{r.Termination} {r.FailureCause} {r.Stdout.Text.Trim()}"));
                    var lost = results.Where(r => !r.Succeeded).ToList();
                    Assert.IsTrue(lost.Count >= 1, "the drain hit a running job:\n" + report);
                    Assert.IsTrue(lost.All(r => r.Termination == TerminationReason.WorkerLost && r.FailureCause!.Contains("node n2", StringComparison.Ordinal) && r.FailureCause.Contains("drained", StringComparison.Ordinal)), "a job lost to the drain says so:\n" + report);
                    Assert.IsTrue(results.Where(r => r.Succeeded).All(r => Field(r.Stdout.Text.Trim(), "node") != "n2"), "only node 2's jobs were lost:\n" + report);

                    var after = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => pool.RunAsync("0\n"u8.ToArray()))).WaitAsync(TimeSpan.FromMinutes(1));
                    var afterReport = string.Join("\n", after.Select(r => $"{r.Termination} {r.FailureCause} {r.Stdout.Text.Trim()}"));
                    Assert.IsTrue(after.All(r => r.Succeeded) && !Nodes(after).Contains("n2"), "the next jobs ran, on the other nodes:\n" + afterReport);
                }
                finally
                {
                    await DockerCliAsync("node", "update", "--availability", "active", "n2");
                }
            }
        }

        await WaitForAsync(async () => (await Cluster.ServicesAsync(manager.RunId)).Count == 0, TimeSpan.FromSeconds(30), "every service of the run is removed at its end");
        await WaitForAsync(async () => (await Cluster.ContainersAsync([1, 2, 3])).Values.Sum() == 0, TimeSpan.FromSeconds(30), "no worker or launcher container is left on any node");
    }

    [TestMethod]
    public async Task An_allow_list_on_the_cluster_reaches_the_listed_endpoint_and_nothing_else_from_every_node_and_leaves_nothing()
    {
        await using var allowed = HostTcpServer.Greeting("greetings-from-allowed");
        await using var other = HostTcpServer.Greeting("greetings-from-other");
        await using var manager = await DockerBackend.ConnectAsync(new DockerBackendOptions { Endpoint = new Uri(Cluster.DockerHost), RunId = "swarmtest-" + Guid.NewGuid().ToString("N")[..8] });
        var script = $"echo \"node=$CONTAINERTEST_NODE\"; nc -w 3 host.docker.internal {allowed.Port}; echo; nc -w 3 host.docker.internal {other.Port} || echo other-refused; nc -w 3 1.1.1.1 443 </dev/null || echo outside-refused; sleep 1";
        var template = await TemplateAsync(manager, script) with { Network = NetworkPolicy.Allow(new NetworkEndpoint("host.docker.internal", allowed.Port)) };
        var swarm = await SwarmBackend.ConnectAsync(manager, Cluster.Registry);
        await using (swarm)
        {
            var (results, report) = await RunOnEveryNodeAsync(swarm, template, "");
            foreach (var result in results)
            {
                var lines = result.Stdout.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                CollectionAssert.AreEqual(
                    new[] { lines[0], "greetings-from-allowed", "other-refused", "outside-refused" },
                    lines,
                    "the allowed endpoint answers (so the test host is reachable from the node), the other port of the same host and the outside do not:\n" + report);
                Assert.AreEqual("sandbox", result.InstanceKind);
            }
        }

        await WaitForAsync(async () => (await Cluster.ServicesAsync(manager.RunId)).Count == 0, TimeSpan.FromSeconds(30), "every service of the run is removed at its end");
        await WaitForAsync(async () => (await Cluster.ContainersAsync([1, 2, 3])).Values.Sum() == 0, TimeSpan.FromSeconds(30), "no worker, launcher or gateway container is left on any node");
        await WaitForAsync(async () => (await Cluster.NetworksAsync([1, 2, 3])).Values.Sum() == 0, TimeSpan.FromSeconds(30), "no worker's network is left on any node");
    }

    [TestMethod]
    public async Task A_shared_service_on_the_manager_is_reached_by_name_from_workers_on_every_node_with_an_allow_list_and_with_the_open_network()
    {
        await using var manager = await DockerBackend.ConnectAsync(new DockerBackendOptions { Endpoint = new Uri(Cluster.DockerHost), RunId = "swarmtest-" + Guid.NewGuid().ToString("N")[..8] });
        var serviceImage = await GreetingServiceImageAsync();
        var swarm = await SwarmBackend.ConnectAsync(manager, Cluster.Registry);
        await using (swarm)
        {
            var service = new ServiceSpec { Name = "greeter", Image = serviceImage, Ports = [7000] };
            await using var services = await manager.StartServicesAsync([service], swarm.ManagerAddress);
            var script = "echo \"node=$CONTAINERTEST_NODE\"; nc -w 3 greeter 7000 </dev/null; sleep 1";
            foreach (var policy in new[] { NetworkPolicy.Allow(new NetworkEndpoint("greeter", 7000)), NetworkPolicy.Open })
            {
                var template = await TemplateAsync(manager, script) with { Network = policy };
                var (results, report) = await RunOnEveryNodeAsync(swarm, template, $"{policy}: ");
                Assert.IsTrue(results.All(r => r.Stdout.Text.EndsWith("\ngreetings-from-service\n", StringComparison.Ordinal)), $"{policy}: every job reached the service by its name:\n" + report);
            }
        }

        await WaitForAsync(async () => (await Cluster.ContainersAsync([1, 2, 3])).Values.Sum() == 0, TimeSpan.FromSeconds(30), "no worker, launcher or gateway container is left on any node");
        await WaitForAsync(async () => (await Cluster.NetworksAsync([1, 2, 3])).Values.Sum() == 0, TimeSpan.FromSeconds(30), "no worker's network is left on any node");
    }

    [TestMethod]
    public async Task With_Docker_access_a_job_on_the_cluster_reaches_the_engine_of_its_own_node()
    {
        await using var manager = await DockerBackend.ConnectAsync(new DockerBackendOptions { Endpoint = new Uri(Cluster.DockerHost), RunId = "swarmtest-" + Guid.NewGuid().ToString("N")[..8] });
        var toybox = new FileLayer("/.t/toybox", await File.ReadAllBytesAsync(RepositoryFile("artifacts/native/linux-x64/toybox")), FileLayer.ExecutableMode);

        // The engine's answer to GET /info names the machine it runs on: each node's own host name.
        var script = "echo \"node=$CONTAINERTEST_NODE\"; printf 'GET /v1.41/info HTTP/1.0\\r\\n\\r\\n' | /.t/toybox nc -q 3 -U /var/run/docker.sock | grep -o '\"Name\":\"n[0-9]\"'; sleep 1";
        var template = await TemplateAsync(manager, script, toybox) with { Mounts = [new TmpfsMount("/tmp", 16 * 1024 * 1024), new EngineSocketMount()], Network = NetworkPolicy.Open };
        var swarm = await SwarmBackend.ConnectAsync(manager, Cluster.Registry);
        await using (swarm)
        {
            var (results, report) = await RunOnEveryNodeAsync(swarm, template, "");
            foreach (var result in results)
            {
                var node = Field(result.Stdout.Text.Split('\n')[0], "node");
                StringAssert.Contains(result.Stdout.Text, $"\"Name\":\"{node}\"", "a job as the non-root user reached the engine of the node it ran on:\n" + report);
            }
        }

        await WaitForAsync(async () => (await Cluster.ContainersAsync([1, 2, 3])).Values.Sum() == 0, TimeSpan.FromSeconds(30), "no worker or launcher container is left on any node");
    }

    /// <summary>A file of this repository (the test's output is below it).</summary>
    private static string RepositoryFile(string relative)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{relative} is not below any folder above {AppContext.BaseDirectory}: build it first (nuget/native/build.sh, which ./build.sh runs).");
    }

    /// <summary>An image on the manager's engine whose one program answers every TCP connection on port 7000 with a greeting (a static busybox).</summary>
    private static async Task<string> GreetingServiceImageAsync()
    {
        using var client = Cluster.Node(1);
        using var tar = new MemoryStream();
        await using (var writer = new System.Formats.Tar.TarWriter(tar, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
        {
            await using var busybox = File.OpenRead("/bin/busybox");
            await writer.WriteEntryAsync(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "bin/busybox") { Mode = (UnixFileMode)0b111_101_101, DataStream = busybox });
        }

        tar.Position = 0;
        await client.Images.CreateImageAsync(
            new global::Docker.DotNet.Models.ImagesCreateParameters
            {
                FromSrc = "-",
                Repo = "containertest-fixture/greeter",
                Tag = "1",
                Changes = ["CMD [\"/bin/busybox\", \"nc\", \"-ll\", \"-p\", \"7000\", \"-e\", \"/bin/busybox\", \"echo\", \"greetings-from-service\"]"],
            },
            tar,
            new global::Docker.DotNet.Models.AuthConfig(),
            new Progress<global::Docker.DotNet.Models.JSONMessage>());
        return "containertest-fixture/greeter:1";
    }

    /// <summary>A template on the host image (the supervisor needs .NET), with busybox's sh for the scripts.</summary>
    private static async Task<JobSpec> TemplateAsync(DockerBackend manager, string script, params Layer[] extra)
    {
        var image = await manager.EnsureHostImageAsync();
        return new JobSpec
        {
            Image = image,
            Command = ["/.t/busybox", "sh", "-c", "export PATH=/.t:$PATH; " + script],
            Layers =
            [
                new FileLayer("/.t/busybox", await File.ReadAllBytesAsync("/bin/busybox"), FileLayer.ExecutableMode),
                .. Applets.Select(n => new SymlinkLayer("/.t/" + n, "busybox")),
                .. extra,
            ],
            User = new UserIdentity(1000, 1000),
            Mounts = [new TmpfsMount("/tmp", 16 * 1024 * 1024)],
            Limits = new ResourceLimits(MemoryBytes: 256L * 1024 * 1024, Pids: 256),
            StopWhenOwnerExits = true,
        };
    }

    [TestMethod]
    public async Task Clean_lists_a_dead_runs_services_and_secrets_on_the_cluster_and_removes_them_but_not_a_live_runs()
    {
        using var manager = new global::Docker.DotNet.DockerClientBuilder().WithEndpoint(new Uri(Cluster.DockerHost)).Build();
        using var ended = System.Diagnostics.Process.Start("true")!;
        await ended.WaitForExitAsync();
        var deadRun = "clean-dead-" + Guid.NewGuid().ToString("N")[..8];
        var liveRun = "clean-live-" + Guid.NewGuid().ToString("N")[..8];

        // What a run killed before its guard could act leaves: a service using a secret, owned by a
        // process that is gone; and beside it a service of a run whose process (this one) lives.
        var secret = await manager.Secrets.CreateAsync(new global::Docker.DotNet.Models.SwarmSecretSpec
        {
            Name = deadRun,
            Data = "secret"u8.ToArray(),
            Labels = Labels(deadRun, ended.Id),
        });
        var dead = await CreateServiceAsync(manager, deadRun, ended.Id, secret.ID, deadRun);
        var live = await CreateServiceAsync(manager, liveRun, Environment.ProcessId, null, liveRun);
        try
        {
            var found = await ContainerTest.ContainerRuntime.Composition.JobRuntime.FindLeftoversAsync(manager, CancellationToken.None);
            var deadItems = found.Where(i => i.Details.EndsWith("run " + deadRun, StringComparison.Ordinal)).ToList();
            CollectionAssert.AreEquivalent(new[] { LeftoverKind.Service, LeftoverKind.Secret }, deadItems.Select(i => i.Kind).ToList(), string.Join("\n", found));
            Assert.IsTrue(deadItems.All(i => !i.OwnerAlive), string.Join("\n", deadItems));
            Assert.IsTrue(found.Single(i => i.Id == live).OwnerAlive, "a live run's service was not seen as in use");

            var removed = await ContainerTest.ContainerRuntime.Composition.JobRuntime.RemoveLeftoversAsync(manager, found.Where(i => i.Details.Contains("run clean-", StringComparison.Ordinal)), CancellationToken.None);
            CollectionAssert.AreEquivalent(new[] { dead, secret.ID }, removed.Select(i => i.Id).ToList());
            Assert.IsFalse((await Cluster.ServicesAsync(deadRun)).Any(), "the dead run's service is still there");
            Assert.IsFalse((await manager.Secrets.ListAsync()).Any(s => s.ID == secret.ID), "the dead run's secret is still there");
            Assert.AreEqual(1, (await Cluster.ServicesAsync(liveRun)).Count, "the live run's service was removed");
        }
        finally
        {
            await manager.Swarm.RemoveServiceAsync(live);
        }
    }

    private static Dictionary<string, string> Labels(string runId, int owner) => new()
    {
        [ContainerLabels.Managed] = "true",
        [ContainerLabels.RunId] = runId,
        [ContainerLabels.Kind] = ContainerLabels.WorkerKind,
        [ContainerLabels.OwnerProcessId] = owner.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [ContainerLabels.OwnerHost] = Environment.MachineName,
    };

    /// <summary>A service of no replicas (nothing is pulled or started) labelled as a run's worker.</summary>
    private static async Task<string> CreateServiceAsync(global::Docker.DotNet.DockerClient manager, string runId, int owner, string? secretId, string secretName)
    {
        var created = await manager.Swarm.CreateServiceAsync(new global::Docker.DotNet.Models.ServiceCreateParameters
        {
            Service = new global::Docker.DotNet.Models.ServiceSpec
            {
                Name = runId,
                Labels = Labels(runId, owner),
                Mode = new global::Docker.DotNet.Models.ServiceMode { Replicated = new global::Docker.DotNet.Models.ReplicatedService { Replicas = 0 } },
                TaskTemplate = new global::Docker.DotNet.Models.TaskSpec
                {
                    ContainerSpec = new global::Docker.DotNet.Models.ContainerSpec
                    {
                        Image = "containertest-clean-test:none",
                        Secrets = secretId is null ? null : [new global::Docker.DotNet.Models.SecretReference { SecretID = secretId, SecretName = secretName, File = new global::Docker.DotNet.Models.SecretReferenceFileTarget { Name = "s", UID = "0", GID = "0", Mode = 256 } }],
                    },
                },
            },
        });
        return created.ID ?? throw new AssertFailedException("the manager created a service but gave no id");
    }

    private static async Task DockerCliAsync(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-H");
        start.ArgumentList.Add(Cluster.DockerHost);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.AreEqual(0, process.ExitCode, $"docker {string.Join(' ', arguments)}: {error}");
    }

    /// <summary>
    /// In a pool of six workers on the cluster for <paramref name="template"/>, runs jobs six at a
    /// time, each holding its worker a second (so the pool needs all six
    /// workers, which Swarm spreads), until all three nodes have run some; asserts they did.
    /// Returns the results and a report of them for messages.
    /// </summary>
    private static async Task<(List<JobResult> Results, string Report)> RunOnEveryNodeAsync(SwarmBackend swarm, JobSpec template, string what)
    {
        var pool = await SandboxWorkerPool.StartAsync(swarm, template, new JobPoolOptions(Capacity: 24, Parallelism: 6, Depth: 0), CancellationToken.None);
        await using var disposing = pool;
        var results = new List<JobResult>();
        while (results.Count < 24 && Nodes(results).Count < 3)
        {
            results.AddRange(await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => pool.RunAsync(ReadOnlyMemory<byte>.Empty))));
        }

        var report = string.Join("\n", results.Select(r => $"{r.Termination} {r.FailureCause} {r.Stdout.Text.Trim()} {r.Stderr.Text.Trim()}"));
        Assert.AreEqual(3, Nodes(results).Count, what + "the jobs ran on all three nodes:\n" + report);
        return (results, report);
    }

    private static List<string> Nodes(IEnumerable<JobResult> results) =>
        results.Select(r => Field(r.Stdout.Text.Split('\n')[0], "node")).Distinct().Order().ToList();

    private static string Field(string line, string name) =>
        line.Split(' ').FirstOrDefault(f => f.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? string.Empty;

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"within {limit.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>The nodes jobs said they run on, as their output arrives.</summary>
    private sealed class NodeWatch : IJobObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> nodes = new();

        public ICollection<string> Nodes => nodes.Keys;

        public void OnStarted(string jobId, string instanceId)
        {
        }

        public void OnOutput(string jobId, OutputChannel channel, ReadOnlySpan<byte> chunk)
        {
            var text = Encoding.UTF8.GetString(chunk);
            var at = text.IndexOf("node=", StringComparison.Ordinal);
            if (at >= 0)
            {
                nodes[text[(at + 5)..].Split('\n')[0].Trim()] = true;
            }
        }
    }
}
