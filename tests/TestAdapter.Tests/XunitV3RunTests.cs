namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// xUnit v3 4.x under VSTest (xunit.runner.visualstudio 4.x) through the real `dotnet test`: each
/// test in its own container — two tests that each expect a fresh static counter both pass —,
/// outcomes, messages and theory rows as xUnit reports them.
/// </summary>
[TestClass]
public sealed class XunitV3RunTests
{
    private const string Project = "tests/Fixtures/TestProjects/XunitV3Fixture/XunitV3Fixture.csproj";

    [TestMethod]
    public async Task Every_test_runs_in_its_own_container_with_xUnits_own_results()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(path);

        var results = run.Report.Results;
        Assert.AreEqual(5, results.Count, run.Output);
        Assert.AreEqual("Passed", run.Report.Single("XunitV3Fixture.XunitV3Tests.Passes").Outcome, run.Output);
        Assert.AreEqual("Passed", run.Report.Single("XunitV3Fixture.XunitV3Tests.AlsoStartsFresh").Outcome, "a fresh process per test: the static counter starts at 0 again");
        var failed = run.Report.Single("XunitV3Fixture.XunitV3Tests.Fails");
        Assert.AreEqual("Failed", failed.Outcome);
        StringAssert.Contains(failed.ErrorMessage, "failing on purpose in xUnit v3");
        Assert.AreEqual(2, results.Count(r => r.TestName.StartsWith("XunitV3Fixture.XunitV3Tests.Rows(value: ", StringComparison.Ordinal)), "one result per theory row");
        Assert.AreEqual(results.Count, results.Select(r => r.ContainerId).Where(c => c is { Length: 12 }).Distinct().Count(), "every result names a container of its own");
        Assert.AreEqual(0, await LeftoverContainers.CountForAsync(path), "containers were left behind");
    }
}
