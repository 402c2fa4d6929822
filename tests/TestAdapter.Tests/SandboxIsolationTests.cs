namespace ContainerTest.TestAdapter.Tests;

using System.Text.RegularExpressions;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Tests run one after another in the same worker leave nothing for each other — files in every
/// writable place, a detached process, a loopback listener, SysV shared memory, a host name —
/// and none can see other processes, make namespaces, mount or write outside its own layer.
/// The same fixture passes with a container per test; in sandbox mode its three rounds must
/// also have shared one worker container, or the check would prove nothing.
/// </summary>
[TestClass]
public sealed partial class SandboxIsolationTests
{
    private const string Project = "tests/Fixtures/TestProjects/SandboxLeakFixture/SandboxLeakFixture.csproj";

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task Nothing_a_test_leaves_reaches_the_next_one_and_none_breaks_out(string isolation)
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);
        var run = await DotnetTest.TestAsync(
            path,
            environment: new Dictionary<string, string> { ["CONTAINERTEST_ISOLATION"] = isolation, ["CONTAINERTEST_PARALLELISM"] = "1", ["CONTAINERTEST_POOL_DEPTH"] = "0" });

        Assert.AreEqual(7, run.Report.Results.Count, run.Output);
        foreach (var result in run.Report.Results)
        {
            Assert.AreEqual("Passed", result.Outcome, $"{result.TestName}: {result.ErrorMessage}\n{result.StdOut}");
        }

        var rounds = run.Report.Results.Where(r => r.TestName.StartsWith("Round", StringComparison.Ordinal)).ToList();
        var workers = rounds.Select(r => WorkerLine().Match(r.StdOut).Groups[1].Value).ToList();
        Assert.IsTrue(workers.All(w => w.Length == 12), "each round names the container it ran in: " + string.Join(", ", workers));
        Assert.AreEqual(3, rounds.Select(r => r.ContainerId).Distinct().Count(), "each round ran in a sandbox (or container) of its own");
        Assert.AreEqual(isolation == "sandbox" ? 1 : 3, workers.Distinct().Count(), $"in {isolation} mode the rounds ran in these containers: {string.Join(", ", workers)}");
        Assert.AreEqual(0, await LeftoverContainers.CountForAsync(path), "containers were left behind");
    }

    [GeneratedRegex("worker: ([0-9a-f]{12})")]
    private static partial Regex WorkerLine();
}
