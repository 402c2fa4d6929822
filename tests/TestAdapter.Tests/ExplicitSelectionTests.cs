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
    private const string XunitV3Project = "tests/Fixtures/TestProjects/XunitV3Fixture/XunitV3Fixture.csproj";
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
        Assert.AreEqual("NotExecuted", run.Report.Single("XunitV3Fixture.SelectionTests.ExplicitOne").Outcome, run.Output);
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

    /// <summary>The same tests, with the same outcomes and messages, as the native run.</summary>
    private static void AssertSameOutcomes(DotnetTest.Outcome native, DotnetTest.Outcome run)
    {
        string Describe(DotnetTest.Outcome o) => string.Join(" | ", o.Report.Results.OrderBy(r => r.TestName, StringComparer.Ordinal).Select(r => $"{r.TestName}: {r.Outcome}: {r.ErrorMessage.Trim()}"));
        Assert.AreEqual(Describe(native), Describe(run), "natively:\n" + native.Output + "\nin containers:\n" + run.Output);
    }
}
