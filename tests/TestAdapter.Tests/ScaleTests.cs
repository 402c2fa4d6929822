namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>Many tests, many containers at once: every test reported exactly once, none sees another's files, none left behind.</summary>
[TestClass]
public sealed class ScaleTests
{
    private const string Project = "tests/Fixtures/TestProjects/ManyTestsFixture/ManyTestsFixture.csproj";

    [TestMethod]
    public async Task Three_hundred_tests_at_parallelism_8_each_report_exactly_once()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(
            path,
            ["--filter", "TestCategory!=Slow"],
            new Dictionary<string, string> { ["CONTAINERTEST_PARALLELISM"] = "8" },
            TimeSpan.FromMinutes(10));

        var results = run.Report.Results;
        Assert.AreEqual(300, results.Count, run.Output);
        var expected = Enumerable.Range(1, 300).Select(i => $"T{i:000}").ToHashSet(StringComparer.Ordinal);
        Assert.IsTrue(expected.SetEquals(results.Select(r => r.TestName)), "every test exactly once");
        var failures = results.Where(r => r.Outcome != "Passed").Select(r => $"{r.TestName}: {r.ErrorMessage}").ToList();
        Assert.AreEqual(0, failures.Count, string.Join(Environment.NewLine, failures.Take(10)));
        Assert.AreEqual(300, results.Select(r => r.ContainerId).Distinct().Count(), "300 distinct containers");
        Assert.AreEqual(0, await LeftoverContainers.CountForAsync(path), "containers were left behind");
    }
}
