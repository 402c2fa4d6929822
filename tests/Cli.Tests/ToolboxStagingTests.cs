namespace ContainerTest.Cli.Tests;

using ContainerTest.Cli.Tests.Fixtures;

/// <summary>The build stages the shell's toolbox into the test output, once, and keeps it there.</summary>
[TestClass]
public sealed class ToolboxStagingTests
{
    private static readonly string[] UsualTools = ["sh", "ls", "ps", "vi", "less", "find", "grep", "which"];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_build_with_nothing_changed_skips_the_staging_and_keeps_the_staged_files()
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var toolbox = Path.Combine(Path.GetDirectoryName(assembly)!, ".containertest", "toolbox");

        var output = await ShellFixtureProject.BuildAgainAsync(TestContext.CancellationToken);

        StringAssert.Contains(output, "Skipping target \"ContainerTestStageToolbox\"");
        Assert.IsTrue(File.Exists(Path.Combine(toolbox, "busybox")), "incremental clean deleted the staged binary");
        var applets = await File.ReadAllLinesAsync(Path.Combine(toolbox, "applets"), TestContext.CancellationToken);
        CollectionAssert.IsSubsetOf(UsualTools, applets);
    }
}
