namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// The run's time zone and culture reach the test in its container, through the real
/// `dotnet test` with TZ=Asia/Tokyo LANG=de_DE.UTF-8: the test sees what a native run sees;
/// ContainerTestInheritLocale=false leaves the image's own (UTC, the invariant culture).
/// </summary>
[TestClass]
public sealed class LocaleTests
{
    private const string Project = "tests/Fixtures/TestProjects/MSTestFidelityFixture/MSTestFidelityFixture.csproj";
    private const string Tokyo = "zone=Asia/Tokyo culture=de-DE decimal=1,5";

    [ClassInitialize]
    public static async Task BuildAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);
    }

    [TestMethod]
    public async Task The_test_sees_the_runs_time_zone_and_culture_as_natively()
    {
        var native = await RunAsync(new() { ["CONTAINERTEST"] = "0" });
        var run = await RunAsync([]);

        StringAssert.Contains(native.Report.Single("ReportsZoneAndCulture").StdOut, Tokyo, native.Output);
        StringAssert.Contains(run.Report.Single("ReportsZoneAndCulture").StdOut, Tokyo, run.Output);
        Assert.IsNotNull(run.Report.Single("ReportsZoneAndCulture").ContainerId);
    }

    [TestMethod]
    public async Task Switched_off_the_test_sees_the_images_own()
    {
        var run = await RunAsync(new() { ["CONTAINERTEST_INHERIT_LOCALE"] = "false" });

        StringAssert.Contains(run.Report.Single("ReportsZoneAndCulture").StdOut, "zone=UTC culture= decimal=1.5", run.Output);
    }

    private static Task<DotnetTest.Outcome> RunAsync(Dictionary<string, string> environment)
    {
        environment["TZ"] = "Asia/Tokyo";
        environment["LANG"] = "de_DE.UTF-8";
        return DotnetTest.TestAsync(DotnetTest.PathOf(Project), ["--filter", "Name=ReportsZoneAndCulture"], environment);
    }
}
