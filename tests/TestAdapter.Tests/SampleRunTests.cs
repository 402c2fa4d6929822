namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// The three samples through the real `dotnet test`: every test ran once, in a container of its
/// own, and is reported as a native run would report it.
/// </summary>
[TestClass]
public sealed class SampleRunTests
{
    private static readonly string[] AddsNumbersRows = ["AddsNumbers (1,1,2)", "AddsNumbers (2,3,5)", "AddsNumbers (40,2,42)"];

    private static readonly string[] IsolationTests =
        ["WritesSharedTempFile_A", "WritesSharedTempFile_B", "IncrementsStaticCounter_A", "IncrementsStaticCounter_B", "WritesNextToItsAssembly"];

    [TestMethod]
    [DataRow("samples/MSTestSample/MSTestSample.csproj", "AddsNumbers (1,1,2)", "hello from MSTest inside the container")]
    [DataRow("samples/XunitSample/XunitSample.csproj", "XunitSample.EverydayTests.AddsNumbers(a: 1, b: 1, sum: 2)", "hello from xUnit inside the container")]
    [DataRow("samples/NUnitSample/NUnitSample.csproj", "AddsNumbers(1,1,2)", "hello from NUnit inside the container")]
    public async Task Every_test_runs_once_in_its_own_container_and_reports_as_natively(string project, string firstRow, string greeting)
    {
        var path = DotnetTest.PathOf(project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(path);

        var results = run.Report.Results;
        Assert.AreEqual(11, results.Count, run.Output);
        Assert.AreEqual(results.Count, results.Select(r => r.TestName).Distinct().Count(), "a test was reported twice");
        var failed = results.Where(r => r.Outcome == "Failed").ToList();
        Assert.AreEqual(1, failed.Count, "only the deliberate failure fails: " + string.Join(", ", failed.Select(f => f.TestName)));
        StringAssert.Contains(failed[0].TestName, "FailsOnPurpose");
        StringAssert.Contains(failed[0].ErrorMessage, "this sample fails on purpose");
        Assert.IsTrue(failed[0].StackTrace.Length > 0, "the failure has its stack trace");

        foreach (var isolation in IsolationTests)
        {
            Assert.AreEqual("Passed", results.Single(r => r.TestName.EndsWith(isolation, StringComparison.Ordinal)).Outcome, isolation);
        }

        Assert.AreEqual("Passed", results.Single(r => r.TestName == firstRow).Outcome, "data rows keep their native names");
        Assert.IsTrue(results.Any(r => r.StdOut.Contains(greeting, StringComparison.Ordinal)), "the test's output is in its result");

        var containers = results.Select(r => r.ContainerId).ToList();
        Assert.IsTrue(containers.All(c => c is { Length: 12 }), "every result names its container");
        Assert.AreEqual(results.Count, containers.Distinct().Count(), "every test had a container of its own");
        Assert.AreEqual(0, await LeftoverContainers.CountForAsync(path), "containers were left behind");
    }

    [TestMethod]
    public async Task A_filter_selects_tests_as_natively()
    {
        var path = DotnetTest.PathOf("samples/MSTestSample/MSTestSample.csproj");
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(path, ["--filter", "FullyQualifiedName~AddsNumbers"]);

        CollectionAssert.AreEquivalent(
            AddsNumbersRows,
            run.Report.Results.Select(r => r.TestName).ToArray(),
            run.Output);
    }

    [TestMethod]
    public async Task Switched_off_the_tests_run_natively_and_the_isolation_pairs_collide()
    {
        var path = DotnetTest.PathOf("samples/MSTestSample/MSTestSample.csproj");
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(path, ["--filter", "FullyQualifiedName~IncrementsStaticCounter"], new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });

        StringAssert.Contains(run.Output, "tests run natively");
        Assert.AreEqual(2, run.Report.Results.Count, run.Output);
        Assert.AreEqual(1, run.Report.Results.Count(r => r.Outcome == "Failed"), "natively, one process: the second counter test sees the first one's increment");
        Assert.IsTrue(run.Report.Results.All(r => r.ContainerId is null), "no test ran in a container");
    }
}
