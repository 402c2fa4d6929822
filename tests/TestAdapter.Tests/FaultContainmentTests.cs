namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Tests that misbehave against the sandbox's limits, through the real `dotnet test`: each is
/// stopped by its limit and reported with a message that says so; the others still report. The
/// fixture runs twice, in sandboxes (the default) and with a container per test.
/// </summary>
[TestClass]
public sealed class FaultContainmentTests
{
    private const string Project = "tests/Fixtures/TestProjects/FaultFixture/FaultFixture.csproj";
    private static readonly Dictionary<string, DotnetTest.Outcome> Runs = [];

    [ClassInitialize]
    public static async Task RunFixtureAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, context.CancellationToken);
        foreach (var isolation in new[] { "sandbox", "container" })
        {
            Runs[isolation] = await DotnetTest.TestAsync(
                path,
                environment: new Dictionary<string, string> { ["CONTAINERTEST_ISOLATION"] = isolation, ["CONTAINERTEST_MEMORY"] = "300m", ["CONTAINERTEST_PIDS"] = "128", ["CONTAINERTEST_TMPSIZE"] = "16m" },
                cancellationToken: context.CancellationToken);
        }
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task Every_test_reports_once_and_none_leaves_a_container(string isolation)
    {
        var run = Runs[isolation];
        Assert.AreEqual(6, run.Report.Results.Count, run.Output);
        Assert.AreEqual(6, run.Report.Results.Select(r => r.TestName).Distinct().Count());
        Assert.AreEqual("Passed", run.Report.Single("Behaves").Outcome);
        Assert.AreEqual(0, await LeftoverContainers.CountForAsync(DotnetTest.PathOf(Project)));
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public void Allocating_past_the_memory_limit_is_reported_as_out_of_memory(string isolation)
    {
        var run = Runs[isolation];
        var result = run.Report.Single("AllocatesPastTheMemoryLimit");

        Assert.AreEqual("Failed", result.Outcome);
        Assert.IsTrue(
            result.ErrorMessage.Contains("OutOfMemoryException", StringComparison.Ordinal) || result.ErrorMessage.Contains("ran out of memory", StringComparison.Ordinal),
            result.ErrorMessage);
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public void A_thread_bomb_is_stopped_by_the_pids_limit_and_says_so(string isolation)
    {
        var run = Runs[isolation];
        var result = run.Report.Single("StartsThreadsWithoutEnd");

        Assert.AreEqual("Failed", result.Outcome);
        StringAssert.Contains(result.ErrorMessage, "allows 128 (ContainerTestPids)");
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public void Filling_tmp_stops_at_its_size_with_a_clear_message(string isolation)
    {
        var run = Runs[isolation];
        var result = run.Report.Single("FillsTmp");

        Assert.AreEqual("Failed", result.Outcome);
        StringAssert.Contains(result.ErrorMessage, "No space left on device");
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public void Read_only_places_and_the_outside_network_are_refused(string isolation)
    {
        var run = Runs[isolation];
        Assert.AreEqual("Passed", run.Report.Single("CannotWriteToReadOnlyPlaces").Outcome, run.Report.Single("CannotWriteToReadOnlyPlaces").ErrorMessage);
        Assert.AreEqual("Passed", run.Report.Single("CannotReachOutsideWithNetworkNone").Outcome, run.Report.Single("CannotReachOutsideWithNetworkNone").ErrorMessage);
    }
}
