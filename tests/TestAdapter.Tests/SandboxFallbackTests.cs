namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// An engine that refuses what a sandbox needs — here one whose containers may not make
/// namespaces or mount, whatever they ask for (a private engine of the test's own) — gets one
/// message saying so and why, and its tests run one container each, exactly as they would otherwise.
/// </summary>
[TestClass]
public sealed class SandboxFallbackTests
{
    private const string Project = "samples/MSTestSample/MSTestSample.csproj";

    [TestMethod]
    public async Task Where_the_kernel_refuses_sandboxes_the_run_says_why_once_and_runs_a_container_per_test()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);
        await using var engine = await PrivateDockerEngine.StartWithoutNamespacesAsync();

        var run = await DotnetTest.TestAsync(path, ["--logger", "console;verbosity=normal"], new Dictionary<string, string> { ["DOCKER_HOST"] = engine.Host });

        var notice = "tests run one container each, not in sandboxes: the kernel or the engine refused to make a sandbox";
        Assert.AreEqual(1, run.Output.Split(notice).Length - 1, "the fallback is said exactly once:\n" + run.Output);
        StringAssert.Contains(run.Output, "set ContainerTestIsolation=container", "the message says how to silence it");
        Assert.AreEqual(11, run.Report.Results.Count, run.Output);
        Assert.AreEqual(1, run.Report.Results.Count(r => r.Outcome == "Failed"), "only the deliberate failure fails");
        Assert.IsTrue(run.Report.Results.All(r => r.TextMessages.Any(m => m.Contains("ContainerTest: ran in container ", StringComparison.Ordinal))), "every test ran in a container of its own");
        Assert.AreEqual(11, run.Report.Results.Select(r => r.ContainerId).Distinct().Count());
        Assert.AreEqual(0, await engine.JobContainersAsync(all: true), "containers were left behind");
    }
}
