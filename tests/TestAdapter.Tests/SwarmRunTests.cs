namespace ContainerTest.TestAdapter.Tests;

using System.Text.RegularExpressions;
using ContainerTest.TestAdapter.Tests.Fixtures;
using ContainerTest.Tests.Swarm;

/// <summary>
/// The real <c>dotnet test</c> with <c>CONTAINERTEST_CLUSTER=swarm</c> on a real Swarm of three
/// nodes (three dockerd on this machine, each in namespaces of its own) pulling from a real
/// registry: the tests run on every node, each in a sandbox of its own, reading the source tree
/// that reached the nodes only in the pushed image; a node killed mid-run fails only the tests it
/// was running, with that reason, and the rest finish on the other nodes; nothing of the run is
/// left on the cluster.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed partial class SwarmRunTests
{
    private const string Project = "tests/Fixtures/TestProjects/ClusterFixture/ClusterFixture.csproj";
    private static readonly string[] AllNodes = ["n1", "n2", "n3"];
    private static SwarmCluster? cluster;
    private static bool nodeKilled;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext context)
    {
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);
        cluster = await SwarmCluster.StartAsync(3, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task RemoveClusterAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task A_suite_runs_on_every_node_each_test_in_its_own_sandbox_and_leaves_nothing()
    {
        if (nodeKilled)
        {
            cluster = await SwarmCluster.StartAsync(3);
            nodeKilled = false;
        }

        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), environment: Environment(), timeout: TimeSpan.FromMinutes(4));

        Assert.AreEqual(30, run.Report.Results.Count, run.Output);
        foreach (var result in run.Report.Results)
        {
            Assert.AreEqual("Passed", result.Outcome, $"{result.TestName}: {result.ErrorMessage}\n{result.StdOut}\n{run.Output}");
            StringAssert.Contains(result.StdOut, "data=from-the-source-tree", "the source tree reached the node in the image");
            StringAssert.Contains(result.StdOut, "fresh-tmp=True", "no test saw another's /tmp");

            // As a local worker: the configured user; the worker's limits are the test's (pids: plus the supervisor's 128).
            StringAssert.Contains(result.StdOut, "uid=1000 pids=428 memory=536870912", "the user and limits of a local worker");
        }

        var nodes = run.Report.Results.Select(r => NodeLine().Match(r.StdOut).Groups[1].Value).Distinct().Order().ToList();
        CollectionAssert.AreEqual(AllNodes, nodes, "the tests ran on every node: " + string.Join(", ", nodes));
        Assert.AreEqual(30, run.Report.Results.Select(r => r.ContainerId).Distinct().Count(), "each test had a sandbox of its own");
        Assert.IsTrue(run.Report.Results.All(r => r.ContainerId is { Length: > 0 } id && r.StdOut.Contains("host=" + id, StringComparison.Ordinal)), "each result names the sandbox it ran in, whose host name the test saw, as locally");
        await AssertNothingLeftAsync([1, 2, 3]);
        Console.WriteLine($"30 tests of 1.5 s on 3 nodes in {run.Elapsed.TotalSeconds:0.0} s");
    }

    [TestMethod]
    public async Task When_the_test_host_dies_mid_run_its_guard_removes_everything_of_the_run_from_the_cluster()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DotnetTest.RepositoryRoot };
        foreach (var argument in new[] { "test", DotnetTest.PathOf(Project), "-c", "Release", "--no-build", "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in Environment())
        {
            start.Environment[key] = value;
        }

        using var run = System.Diagnostics.Process.Start(start)!;
        _ = run.StandardOutput.ReadToEndAsync();
        _ = run.StandardError.ReadToEndAsync();
        try
        {
            // Mid-run: the guard and workers are up, tests are running on the nodes.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while ((await Cluster.ContainersAsync([1, 2, 3])).Values.Sum() < 4)
            {
                Assert.IsTrue(clock.Elapsed < TimeSpan.FromMinutes(2) && !run.HasExited, "the run started workers on the cluster");
                await Task.Delay(500);
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            run.Kill(entireProcessTree: true); // as a CI job's timeout or an OOM kill would: no clean-up of its own
        }

        await run.WaitForExitAsync();
        await AssertNothingLeftAsync([1, 2, 3], TimeSpan.FromSeconds(60));
    }

    [TestMethod]
    public async Task A_node_killed_mid_run_fails_only_its_running_tests_with_that_reason_and_the_rest_finish_elsewhere()
    {
        var killing = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        var c = Cluster;
        var run = await DotnetTest.TestAsync(
            DotnetTest.PathOf(Project),
            ["--logger", "console;verbosity=detailed"],
            Environment(),
            TimeSpan.FromMinutes(4),
            onLine: line =>
            {
                // The moment a test of node 3 has ended, its worker takes the next: node 3 dies under it.
                if (line.Contains("node=n3", StringComparison.Ordinal) && !nodeKilled)
                {
                    nodeKilled = true;
                    _ = Task.Run(async () =>
                    {
                        await c.KillNodeAsync(3);
                        killing.TrySetResult(DateTimeOffset.Now);
                    });
                }
            });

        Assert.IsTrue(nodeKilled, "node 3 ran a test, so it could be killed mid-run:\n" + run.Output);
        var killedAt = await killing.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.AreEqual(30, run.Report.Results.Count, "every test has its result:\n" + run.Output);
        var failed = run.Report.Results.Where(r => r.Outcome != "Passed").ToList();
        Console.WriteLine($"node 3 killed at {killedAt:HH:mm:ss.fff}; the run ended {run.Elapsed.TotalSeconds:0.0} s after it began; failed: " + string.Join(" | ", failed.Select(r => $"{r.TestName}: {r.ErrorMessage}")));
        Assert.IsTrue(failed.Count >= 1, "the kill hit a running test:\n" + run.Output);
        foreach (var result in failed)
        {
            StringAssert.Contains(result.ErrorMessage, "node n3", $"{result.TestName} failed for the lost node, and says so: {result.ErrorMessage}");
        }

        var later = run.Report.Results.Where(r => r.Outcome == "Passed" && r.StartTime > killedAt).ToList();
        Assert.IsTrue(later.Count >= 1, "tests went on after the kill:\n" + run.Output);
        Assert.IsTrue(later.All(r => NodeLine().Match(r.StdOut).Groups[1].Value is "n1" or "n2"), "the tests after the kill ran on the nodes left:\n" + run.Output);
        Assert.IsTrue(failed.Count <= 6, $"only the tests running on node 3 failed, not the rest ({failed.Count}):\n" + run.Output);
        await AssertNothingLeftAsync([1, 2]);
    }

    private static SwarmCluster Cluster => cluster ?? throw new InvalidOperationException("The class fixture did not run.");

    private static Dictionary<string, string> Environment() => new()
    {
        ["DOCKER_HOST"] = Cluster.DockerHost,
        ["CONTAINERTEST_CLUSTER"] = "swarm",
        ["CONTAINERTEST_REGISTRY"] = Cluster.Registry,
        ["CONTAINERTEST_PARALLELISM"] = "6",
        ["CONTAINERTEST_POOL_DEPTH"] = "0",
        ["CONTAINERTEST_PIDS"] = "300",
        ["CONTAINERTEST_MEMORY"] = "512m",
        ["CONTAINERTEST_SOURCE_ROOT"] = Path.GetDirectoryName(DotnetTest.PathOf(Project))!,
    };

    /// <summary>No service or secret of ours on the cluster, no worker or launcher container on the nodes alive.</summary>
    private static async Task AssertNothingLeftAsync(int[] nodes, TimeSpan? patience = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var services = (await Cluster.ServicesAsync()).Count;
            var secrets = await Cluster.SecretsAsync();
            var containers = (await Cluster.ContainersAsync(nodes)).Values.Sum();
            if (services + secrets + containers == 0)
            {
                return;
            }

            if (clock.Elapsed > (patience ?? TimeSpan.FromSeconds(30)))
            {
                Assert.Fail($"left on the cluster after the run: {services} service(s), {secrets} secret(s), {containers} container(s)");
            }

            await Task.Delay(500);
        }
    }

    [GeneratedRegex("node=(\\S+)")]
    private static partial Regex NodeLine();
}
