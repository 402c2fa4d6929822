namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Every test case is reported exactly once per result its framework produced, through the real
/// `dotnet test`: a container that ends slowly after the framework reported everything adds no
/// contradicting result, and a test case that reported some data rows and then crashed gets one
/// Failed result naming the rows that did report.
/// </summary>
[TestClass]
public sealed class ResultOnceTests
{
    private const string MSTestProject = "tests/Fixtures/TestProjects/MSTestFidelityFixture/MSTestFidelityFixture.csproj";
    private const string XunitProject = "tests/Fixtures/TestProjects/XunitFidelityFixture/XunitFidelityFixture.csproj";

    [TestMethod]
    public async Task A_container_that_ends_slowly_after_the_result_adds_no_second_result()
    {
        var path = DotnetTest.PathOf(MSTestProject);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        // The test passes, then its process never exits: the container is killed at the timeout.
        var run = await DotnetTest.TestAsync(path, ["--filter", "Name=ReportsThenHangsOnExit"], new Dictionary<string, string> { ["CONTAINERTEST_TIMEOUT"] = "6s" });

        Assert.AreEqual(1, run.Report.Results.Count, run.Output);
        var result = run.Report.Single("ReportsThenHangsOnExit");
        Assert.AreEqual("Passed", result.Outcome, result.ErrorMessage);
        Assert.AreEqual(0, run.ExitCode, run.Output);
        StringAssert.Contains(run.Output, "ReportsThenHangsOnExit reported its result(s), and then its container did not end within the 6 s allowed (ContainerTestTimeout) and was killed. The reported result(s) stand.");
        Assert.AreEqual(0, await LeftoverContainers.CountForAsync(path));
    }

    [TestMethod]
    public async Task Rows_reported_before_a_crash_stand_and_one_failure_names_them()
    {
        var path = DotnetTest.PathOf(XunitProject);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(path, ["--filter", "FullyQualifiedName~RowsThenCrash"]);

        Assert.AreEqual(2, run.Report.Results.Count, run.Output);
        Assert.AreEqual("Passed", run.Report.Single("XunitFidelityFixture.RowTests.RowsThenCrash(row: 1)").Outcome);
        var failure = run.Report.Single("XunitFidelityFixture.RowTests.RowsThenCrash");
        Assert.AreEqual("Failed", failure.Outcome);
        StringAssert.Contains(failure.ErrorMessage, "The test process exited with code 3 before the test finished");
        StringAssert.Contains(failure.ErrorMessage, "1 result(s) had been reported (XunitFidelityFixture.RowTests.RowsThenCrash(row: 1)); every other data row of this test reported none.");
    }
}
