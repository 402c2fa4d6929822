namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// /tmp full against out of memory, through the real `dotnet test`: /tmp and HOME are
/// memory-backed, so their default sizes fit inside the memory limit (a test that fills /tmp is
/// told "No space left on device"), and sizes that cannot fit get a warning naming both settings.
/// </summary>
[TestClass]
public sealed class TmpSizeTests
{
    private const string Project = "tests/Fixtures/TestProjects/FaultFixture/FaultFixture.csproj";

    [ClassInitialize]
    public static async Task BuildAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);
    }

    [TestMethod]
    public async Task With_a_small_memory_limit_and_default_sizes_filling_tmp_is_reported_as_tmp_full()
    {
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), ["--filter", "Name=FillsTmp"], new Dictionary<string, string> { ["CONTAINERTEST_MEMORY"] = "512m" });

        var result = run.Report.Single("FillsTmp");
        Assert.AreEqual("Failed", result.Outcome, run.Output);
        StringAssert.Contains(result.ErrorMessage, "No space left on device");
        Assert.IsFalse(result.ErrorMessage.Contains("ran out of memory", StringComparison.Ordinal), result.ErrorMessage);
        Assert.IsFalse(run.Output.Contains("memory-backed", StringComparison.Ordinal), "no warning for sizes chosen to fit:\n" + run.Output);
    }

    [TestMethod]
    public async Task Sizes_that_cannot_fit_the_memory_limit_get_a_warning()
    {
        var run = await DotnetTest.TestAsync(
            DotnetTest.PathOf(Project),
            ["--filter", "Name=Behaves"],
            new Dictionary<string, string> { ["CONTAINERTEST_MEMORY"] = "512m", ["CONTAINERTEST_TMPSIZE"] = "512m" });

        Assert.AreEqual("Passed", run.Report.Single("Behaves").Outcome, run.Output);
        StringAssert.Contains(run.Output, "ContainerTest: /tmp and HOME are memory-backed (512 MiB each, ContainerTestTmpSize) and count against the 512 MiB memory limit (ContainerTestMemory)");
        StringAssert.Contains(run.Output, "Keep ContainerTestTmpSize at most 128 MiB");
    }
}
