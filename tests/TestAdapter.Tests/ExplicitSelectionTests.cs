namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// NUnit's [Explicit] and xUnit v3's Explicit through the real `dotnet test`: whether a test runs follows NUnit's rule
/// over the run's whole selection, decided on the host — never the one-test selection inside
/// its container. Each run is compared with the same run made natively (CONTAINERTEST=0).
/// </summary>
[TestClass]
public sealed class ExplicitSelectionTests
{
    private const string Project = "tests/Fixtures/TestProjects/NUnitFidelityFixture/NUnitFidelityFixture.csproj";
    private const string XunitV3Project = "tests/Fixtures/TestProjects/XunitV3SelectionFixture/XunitV3SelectionFixture.csproj";
    private static readonly Dictionary<string, string> Native = new() { ["CONTAINERTEST"] = "0" };

    [ClassInitialize]
    public static async Task BuildAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(XunitV3Project), context.CancellationToken);
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("DisplayName~ExplicitOne")]
    public async Task An_xunit_v3_explicit_test_is_not_run_by_dotnet_test_filtered_or_not(string? filter)
    {
        string[] arguments = filter is null ? [] : ["--filter", filter];
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(XunitV3Project), arguments);
        var native = await DotnetTest.TestAsync(DotnetTest.PathOf(XunitV3Project), arguments, Native);

        AssertSameOutcomes(native, run);
        Assert.AreEqual("NotExecuted", run.Report.Single("XunitV3SelectionFixture.SelectionTests.ExplicitOne").Outcome, run.Output);
    }

    [TestMethod]
    public async Task A_run_of_everything_reports_explicit_tests_not_run_with_their_reasons()
    {
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project));
        var native = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), environment: Native);

        AssertSameOutcomes(native, run);
        Assert.AreEqual("NotExecuted", run.Report.Single("ExplicitOne").Outcome, run.Output);
        Assert.AreEqual("run only when chosen by name", run.Report.Single("ExplicitOne").ErrorMessage);
        Assert.AreEqual("NotExecuted", run.Report.Single("InsideExplicitFixture").Outcome);
        Assert.AreEqual("OneTimeSetUp: the whole fixture is explicit", run.Report.Single("InsideExplicitFixture").ErrorMessage);
        Assert.AreEqual("Passed", run.Report.Single("PlainPass").Outcome);
    }

    [TestMethod]
    public async Task A_filter_that_selects_plain_tests_too_leaves_explicit_ones_out()
    {
        string[] filter = ["--filter", "Name=ExplicitOne|Name=PlainPass"];
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), filter);
        var native = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), filter, Native);

        AssertSameOutcomes(native, run);
        Assert.AreEqual("PlainPass", run.Report.Results.Single().TestName, run.Output);
        Assert.AreEqual("Passed", run.Report.Results.Single().Outcome);
    }

    [TestMethod]
    public async Task A_filter_that_selects_only_explicit_tests_chooses_them()
    {
        string[] filter = ["--filter", "Name=ExplicitOne"];
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), filter);
        var native = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), filter, Native);

        AssertSameOutcomes(native, run);
        var result = run.Report.Single("ExplicitOne");
        Assert.AreEqual("Failed", result.Outcome, run.Output);
        StringAssert.Contains(result.ErrorMessage, "an explicit test ran although the run did not choose it");
    }

    [TestMethod]
    [DataRow(Project, "ExplicitOne,PlainPass", "PlainPass: Passed")]
    [DataRow(Project, "ExplicitOne", "ExplicitOne: Failed")]
    [DataRow(XunitV3Project, "ExplicitOne,PlainPass", "XunitV3SelectionFixture.SelectionTests.ExplicitOne: NotExecuted | XunitV3SelectionFixture.SelectionTests.PlainPass: Passed")]
    [DataRow(XunitV3Project, "ExplicitOne", "XunitV3SelectionFixture.SelectionTests.ExplicitOne: Failed")]
    public async Task Test_cases_chosen_by_name_follow_the_frameworks_rule(string project, string tests, string outcomes)
    {
        // vstest.console /Tests: hands the adapter test cases (RunTests(testCases)), as an IDE does.
        var run = await VstestAsync(project, tests, []);
        var native = await VstestAsync(project, tests, new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });

        AssertSameOutcomes(native, run);
        Assert.AreEqual(outcomes, string.Join(" | ", native.Report.Results.OrderBy(r => r.TestName, StringComparer.Ordinal).Select(r => $"{r.TestName}: {r.Outcome}")), native.Output);
    }

    /// <summary>Runs vstest.console of the SDK that runs these tests with /Tests: on the fixture's assembly.</summary>
    private static async Task<DotnetTest.Outcome> VstestAsync(string project, string tests, Dictionary<string, string> environment)
    {
        var dotnetRoot = Path.GetDirectoryName(Environment.ProcessPath)!;
        var vstest = Directory.GetDirectories(Path.Combine(dotnetRoot, "sdk")).Select(d => Path.Combine(d, "vstest.console.dll")).Where(File.Exists).Max(StringComparer.Ordinal)
            ?? throw new InvalidOperationException($"no vstest.console.dll under {dotnetRoot}/sdk");
        var assembly = Path.Combine(Path.GetDirectoryName(DotnetTest.PathOf(project))!, "bin", "Release", "net10.0", Path.GetFileNameWithoutExtension(project) + ".dll");
        var results = Path.Combine(Path.GetTempPath(), "containertest-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        var (exit, output) = await DotnetTest.RunAsync(["exec", vstest, assembly, "/Tests:" + tests, "/logger:trx;LogFileName=results.trx", "/ResultsDirectory:" + results], environment, TimeSpan.FromMinutes(5), CancellationToken.None);
        var trx = Path.Combine(results, "results.trx");
        return File.Exists(trx) ? new DotnetTest.Outcome(exit, output, TrxReport.Load(trx), TimeSpan.Zero) : throw new InvalidOperationException($"vstest.console wrote no TRX (exit {exit}):\n{output}");
    }

    /// <summary>The same tests, with the same outcomes and messages, as the native run.</summary>
    private static void AssertSameOutcomes(DotnetTest.Outcome native, DotnetTest.Outcome run)
    {
        string Describe(DotnetTest.Outcome o) => string.Join(" | ", o.Report.Results.OrderBy(r => r.TestName, StringComparer.Ordinal).Select(r => $"{r.TestName}: {r.Outcome}: {r.ErrorMessage.Trim()}"));
        Assert.AreEqual(Describe(native), Describe(run), "natively:\n" + native.Output + "\nin containers:\n" + run.Output);
    }
}
