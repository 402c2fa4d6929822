namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// A misspelled setting is not ignored without a word, through the real `dotnet build` and
/// `dotnet test`: the warning names the closest known setting.
/// </summary>
[TestClass]
public sealed class SettingNameTests
{
    private const string Project = "tests/Fixtures/TestProjects/MSTestFidelityFixture/MSTestFidelityFixture.csproj";

    [TestMethod]
    public async Task A_misspelled_environment_variable_is_named_with_the_setting_it_resembles()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(path, ["--filter", "Name=WritesAndPasses"], new Dictionary<string, string> { ["CONTAINERTEST_PARALELISM"] = "2" });

        Assert.AreEqual("Passed", run.Report.Single("WritesAndPasses").Outcome, run.Output);
        StringAssert.Contains(run.Output, "ContainerTest: the environment variable CONTAINERTEST_PARALELISM is not a ContainerTest setting and is ignored. Did you mean CONTAINERTEST_PARALLELISM?");
    }

    [TestMethod]
    public async Task A_misspelled_MSBuild_property_is_named_with_the_property_it_resembles()
    {
        var (exit, output) = await DotnetTest.RunAsync(
            ["build", DotnetTest.PathOf(Project), "-c", "Release", "-nologo", "-p:ContainerTestParalelism=2"],
            null,
            TimeSpan.FromMinutes(5),
            CancellationToken.None);

        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "warning : ContainerTest: the property 'ContainerTestParalelism' given on the command line is not a ContainerTest setting and is ignored. Did you mean ContainerTestParallelism?");
    }
}
