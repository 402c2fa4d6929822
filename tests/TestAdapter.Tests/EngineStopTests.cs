namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// The Docker Engine stops in the middle of a run (on an engine of the test's own, never the
/// machine's): the tests that finished keep their results, every other test is reported failed
/// saying the engine stopped answering, the run ends promptly, and nothing is left behind.
/// </summary>
[TestClass]
public sealed class EngineStopTests
{
    private const string Project = "tests/Fixtures/TestProjects/ManyTestsFixture/ManyTestsFixture.csproj";

    [TestMethod]
    public async Task Stopping_the_engine_mid_run_fails_the_remaining_tests_with_the_reason_and_hangs_nothing()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);
        await using var engine = await PrivateDockerEngine.StartAsync();

        // Eight tests of 3 s, two at a time: the engine is stopped as soon as the first has passed
        // (each result is printed as it comes), so the last pairs cannot have run yet.
        var firstPassed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = DotnetTest.TestAsync(
            path,
            ["--filter", "TestCategory=Slow", "--logger", "console;verbosity=normal", "--", "RunConfiguration.BatchSize=1"],
            new Dictionary<string, string> { ["DOCKER_HOST"] = engine.Host, ["CONTAINERTEST_PARALLELISM"] = "2" },
            TimeSpan.FromMinutes(4),
            onLine: line =>
            {
                if (line.TrimStart().StartsWith("Passed Slow", StringComparison.Ordinal))
                {
                    firstPassed.TrySetResult();
                }
            });

        Assert.AreNotEqual(run, await Task.WhenAny(run, firstPassed.Task), "the run ended before any test passed: " + (run.IsCompleted ? (await run).Output : string.Empty));
        await engine.StopAsync();
        var outcome = await run;

        Assert.AreEqual(8, outcome.Report.Results.Count, outcome.Output);
        Assert.AreEqual(8, outcome.Report.Results.Select(r => r.TestName).Distinct().Count(), "every test reported exactly once");
        var passed = outcome.Report.Results.Where(r => r.Outcome == "Passed").ToList();
        var failed = outcome.Report.Results.Where(r => r.Outcome == "Failed").ToList();
        Assert.IsTrue(passed.Count >= 1, "the tests that finished before the stop keep their results:\n" + outcome.Output);
        Assert.IsTrue(failed.Count >= 1, "tests after the stop cannot have passed:\n" + outcome.Output);
        foreach (var result in failed)
        {
            StringAssert.Contains(result.ErrorMessage, $"The Docker Engine at {engine.Host} stopped answering");
            StringAssert.Contains(result.ErrorMessage, "it was stopped or crashed. Check that it is running");
            Assert.IsFalse(result.ErrorMessage.Contains("   at ", StringComparison.Ordinal), "a stack trace in the message: " + result.ErrorMessage);
        }

        Assert.IsTrue(outcome.Elapsed < TimeSpan.FromMinutes(2), $"the run took {outcome.Elapsed} after the engine stopped");

        // Started again on the same data, the engine holds no container of the run.
        await engine.RestartAsync();
        Assert.AreEqual(0, await engine.JobContainersAsync(all: true), "containers of the run survived the engine's restart");
    }
}
