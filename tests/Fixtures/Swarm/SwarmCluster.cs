namespace ContainerTest.Tests.Swarm;

using System.Diagnostics;
using System.Text;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// A real Docker Swarm of several nodes on this machine and a registry they all pull from, made
/// and removed by swarm-cluster.sh (beside this file): each node a dockerd of its own in its own
/// network, UTS and mount namespaces, node 1 the manager. Needs root; installs Debian's
/// docker-registry when it is missing. Used by the cluster tests of the runtime and the adapter.
/// </summary>
internal sealed class SwarmCluster : IAsyncDisposable
{
    private readonly string script;
    private readonly Dictionary<string, string> environment;

    private SwarmCluster(string script, Dictionary<string, string> environment, int nodes, string dockerHost, string registry)
    {
        this.script = script;
        this.environment = environment;
        Nodes = nodes;
        DockerHost = dockerHost;
        Registry = registry;
    }

    /// <summary>How many nodes it has.</summary>
    public int Nodes { get; }

    /// <summary>The manager's engine, as DOCKER_HOST names it.</summary>
    public string DockerHost { get; }

    /// <summary>The registry every node pulls from (<c>10.213.0.1:5000</c>, or <c>10.214.0.1:5000</c> for the adapter's tests), as ContainerTestRegistry names it.</summary>
    public string Registry { get; }

    /// <summary>Where the nodes keep their data (one folder per node: <c>n1</c>, <c>n2</c>…).</summary>
    public string Root => environment["CTSWARM_ROOT"];

    /// <summary>Makes a cluster of <paramref name="nodes"/> nodes (removing whatever an earlier one left).</summary>
    /// <exception cref="InvalidOperationException">It could not be made; the message says why (not root, a package that cannot be installed…).</exception>
    public static async Task<SwarmCluster> StartAsync(int nodes, CancellationToken cancellationToken = default)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Swarm", "swarm-cluster.sh");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{script} is missing from the test output.");
        }

        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                "The Swarm cluster tests make three Docker Engines in network namespaces of their own and need root: run them as root (sudo), as ./build.sh test does on CI.");
        }

        // Each test assembly's cluster has names, a data root and a subnet of its own: build.sh runs
        // two test assemblies at once, and `up` removes whatever a cluster of the same name left.
        // CONTAINERTEST_SWARM_FIXTURE=NAME/10.X.Y gives another (to try a test beside a running suite).
        var (name, subnet) = (Environment.GetEnvironmentVariable("CONTAINERTEST_SWARM_FIXTURE")?.Split('/'), typeof(SwarmCluster).Assembly.GetName().Name) switch
        {
            ([{ Length: > 0 } own, { Length: > 0 } ownSubnet], _) => (own, ownSubnet),
            (_, "ContainerTest.TestAdapter.Tests") => ("ctsa", "10.214.0"),
            _ => ("ctsw", "10.213.0"),
        };
        var environment = new Dictionary<string, string> { ["CTSWARM_ROOT"] = "/var/tmp/containertest-swarm-" + name, ["CTSWARM_NAME"] = name, ["CTSWARM_NET"] = subnet };
        var (exit, output) = await RunAsync(script, environment, ["up", nodes.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(5), cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"swarm-cluster.sh up {nodes} failed (exit {exit}):\n{output}");
        }

        var values = output.Split('\n').Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        return new SwarmCluster(script, environment, nodes, values["DOCKER_HOST"], values["CONTAINERTEST_REGISTRY"]);
    }

    /// <summary>A client of node <paramref name="node"/>'s own engine (1 is the manager).</summary>
    public DockerClient Node(int node) => new DockerClientBuilder().WithEndpoint(new Uri($"unix://{Root}/n{node}/run/docker.sock")).Build();

    /// <summary>Node <paramref name="node"/> dies as a machine does: its wire cut, then every process of it killed.</summary>
    public async Task KillNodeAsync(int node)
    {
        var (exit, output) = await RunAsync(script, environment, ["kill-node", node.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(1), CancellationToken.None);
        if (exit != 0)
        {
            throw new InvalidOperationException($"swarm-cluster.sh kill-node {node} failed (exit {exit}):\n{output}");
        }
    }

    /// <summary>Services on the manager carrying <c>io.containertest.run-id</c> (any run when null).</summary>
    public async Task<IList<SwarmService>> ServicesAsync(string? runId = null)
    {
        using var manager = Node(1);
        return await manager.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [runId is null ? "io.containertest.run-id" : "io.containertest.run-id=" + runId] = true } },
        });
    }

    /// <summary>Secrets on the manager labelled as ContainerTest's.</summary>
    public async Task<int> SecretsAsync()
    {
        using var manager = Node(1);
        return (await manager.Secrets.ListAsync()).Count(s => s.Spec?.Labels?.ContainsKey("io.containertest.managed") == true);
    }

    /// <summary>Containers of ours (workers, launchers and network gateways) on the nodes still alive, by node number.</summary>
    public async Task<Dictionary<int, int>> ContainersAsync(IEnumerable<int> nodes)
    {
        var counts = new Dictionary<int, int>();
        foreach (var node in nodes)
        {
            using var client = Node(node);
            var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["io.containertest.managed=true"] = true } },
            });
            counts[node] = containers.Count(c => c.Labels.TryGetValue("io.containertest.kind", out var kind) && kind is "worker" or "cluster-launcher" or "network-gateway");
        }

        return counts;
    }

    /// <summary>Networks of ours (an allow-list worker's) on the nodes still alive, by node number.</summary>
    public async Task<Dictionary<int, int>> NetworksAsync(IEnumerable<int> nodes)
    {
        var counts = new Dictionary<int, int>();
        foreach (var node in nodes)
        {
            using var client = Node(node);
            var networks = await client.Networks.ListNetworksAsync(new NetworksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["io.containertest.managed=true"] = true } },
            });
            counts[node] = networks.Count;
        }

        return counts;
    }

    /// <summary>Removes the cluster and the registry.</summary>
    public async ValueTask DisposeAsync()
    {
        var (exit, output) = await RunAsync(script, environment, ["down"], TimeSpan.FromMinutes(2), CancellationToken.None);
        if (exit != 0)
        {
            throw new InvalidOperationException($"swarm-cluster.sh down failed (exit {exit}):\n{output}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, Dictionary<string, string> environment, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"swarm-cluster.sh {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}
