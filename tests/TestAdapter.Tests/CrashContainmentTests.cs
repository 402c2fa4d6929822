namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// A test that kills or hangs its process takes only its own sandbox (or container) down: it is
/// reported failed with the reason and its output, and every other test still runs and reports.
/// The fixture runs twice, in sandboxes (the default) and with a container per test.
/// </summary>
[TestClass]
public sealed class CrashContainmentTests
{
    private const string Project = "tests/Fixtures/TestProjects/CrashFixture/CrashFixture.csproj";
    private static readonly string[] AllTests = ["AlsoPasses", "CallsEnvironmentExit", "HangsForever", "OverflowsTheStack", "Passes", "ThrowsOnAnotherThread"];
    private static readonly Dictionary<string, DotnetTest.Outcome> Runs = [];

    [ClassInitialize]
    public static async Task RunFixtureAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);
        foreach (var isolation in new[] { "sandbox", "container" })
        {
            Runs[isolation] = await DotnetTest.TestAsync(
                DotnetTest.PathOf(Project),
                environment: new Dictionary<string, string> { ["CONTAINERTEST_ISOLATION"] = isolation, ["CONTAINERTEST_TIMEOUT"] = "15s" },
                cancellationToken: context.CancellationToken);
        }
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public void Every_test_reports_exactly_once(string isolation)
    {
        var run = Runs[isolation];
        var names = run.Report.Results.Select(r => r.TestName).Order().ToList();

        CollectionAssert.AreEqual(AllTests, names, run.Output);
        Assert.AreEqual("Passed", run.Report.Single("Passes").Outcome);
        Assert.AreEqual("Passed", run.Report.Single("AlsoPasses").Outcome);
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public void Environment_Exit_is_a_failure_with_the_exit_code_and_the_output_before_it(string isolation)
    {
        var run = Runs[isolation];
        var result = run.Report.Single("CallsEnvironmentExit");

        Assert.AreEqual("Failed", result.Outcome);
        StringAssert.Contains(result.ErrorMessage, "exited with code 3");
        StringAssert.Contains(result.StdOut, "about to exit");
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public void A_stack_overflow_is_a_failure_that_says_the_process_crashed(string isolation)
    {
        var run = Runs[isolation];
        var result = run.Report.Single("OverflowsTheStack");

        Assert.AreEqual("Failed", result.Outcome);
        StringAssert.Contains(result.ErrorMessage, "before the test reported a result");
        StringAssert.Contains(result.StdErr, "Stack overflow");
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public void An_unhandled_exception_on_another_thread_is_a_failure(string isolation)
    {
        var run = Runs[isolation];
        var result = run.Report.Single("ThrowsOnAnotherThread");

        Assert.AreEqual("Failed", result.Outcome);
        StringAssert.Contains(result.ErrorMessage, "before the test reported a result");
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public void A_hang_is_killed_at_the_timeout_and_keeps_the_output_written_before(string isolation)
    {
        var run = Runs[isolation];
        var result = run.Report.Single("HangsForever");

        Assert.AreEqual("Failed", result.Outcome);
        StringAssert.Contains(result.ErrorMessage, "did not finish within 15 s");
        StringAssert.Contains(result.StdOut, "before the hang");
    }
}
