namespace ContainerTest.TestAdapter.Tests;

using System.Xml.Linq;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Loggers and vstest's blame options, through the real `dotnet test`: the JUnit logger names
/// data rows as in a native run; --blame-hang-timeout becomes the per-test timeout, so the hung
/// test is reported by name with its output instead of the test host being killed; with
/// --blame-crash the run and the crashed test's result say plainly that no dump was collected.
/// </summary>
[TestClass]
public sealed class LoggerAndBlameTests
{
    private const string Project = "tests/Fixtures/TestProjects/MSTestFidelityFixture/MSTestFidelityFixture.csproj";
    private static readonly string[] Rows = ["Classifies (1,\"odd\")", "Classifies (2,\"even\")", "Classifies (3,\"odd\")"];
    private static string crashSettings = null!;

    [ClassInitialize]
    public static async Task BuildAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);
        crashSettings = Path.Combine(Path.GetTempPath(), $"containertest-{Guid.NewGuid():N}.runsettings");
        await File.WriteAllTextAsync(crashSettings, "<RunSettings><RunConfiguration><EnvironmentVariables><FIXTURE_CRASH>1</FIXTURE_CRASH></EnvironmentVariables></RunConfiguration></RunSettings>", context.CancellationToken);
    }

    [TestMethod]
    public async Task The_JUnit_logger_names_each_data_row_as_natively()
    {
        var native = await JunitNamesAsync(new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });
        var contained = await JunitNamesAsync([]);

        CollectionAssert.AreEquivalent(Rows, native);
        CollectionAssert.AreEquivalent(native, contained);
    }

    [TestMethod]
    public async Task A_blame_hang_timeout_names_the_hung_test_with_its_output()
    {
        var run = await DotnetTest.TestAsync(
            DotnetTest.PathOf(Project),
            ["--settings", crashSettings, "--filter", "Name=WritesThenHangs|Name=WritesAndPasses", "--blame-hang-timeout", "12s"]);

        Assert.IsFalse(run.Output.Contains("Test Run Aborted", StringComparison.Ordinal), run.Output);
        Assert.AreEqual("Passed", run.Report.Single("WritesAndPasses").Outcome);
        var hung = run.Report.Single("WritesThenHangs");
        Assert.AreEqual("Failed", hung.Outcome, run.Output);
        StringAssert.StartsWith(hung.ErrorMessage, "The test did not finish within 9 s (--blame-hang-timeout 12 s, less 3 s so that the hung test is named before blame stops the test host): its sandbox was killed.");
        StringAssert.Contains(hung.StdOut, "written before the hang");
    }

    [TestMethod]
    public async Task Blame_crash_says_that_no_dump_was_collected()
    {
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), ["--settings", crashSettings, "--filter", "Name=WritesThenExits", "--blame-crash"]);

        StringAssert.Contains(run.Output, "ContainerTest: --blame-crash takes dumps of the test host process, and the tests run in containers: no dump is collected for a test that crashes there.");
        var crashed = run.Report.Single("WritesThenExits");
        Assert.AreEqual("Failed", crashed.Outcome);
        StringAssert.Contains(crashed.ErrorMessage, "exited with code 7");
        StringAssert.EndsWith(crashed.ErrorMessage, "No dump was collected: --blame-crash takes dumps of the test host, and this test ran in a sandbox.");
        StringAssert.Contains(crashed.StdOut, "written before Environment.Exit");
    }

    private static async Task<string[]> JunitNamesAsync(Dictionary<string, string> environment)
    {
        var report = Path.Combine(Path.GetTempPath(), $"containertest-junit-{Guid.NewGuid():N}.xml");
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), ["--filter", "Name~Classifies", "--logger", $"junit;LogFilePath={report}"], environment);
        Assert.IsTrue(File.Exists(report), run.Output);
        return XDocument.Load(report).Descendants("testcase").Select(t => (string)t.Attribute("name")!).ToArray();
    }
}
