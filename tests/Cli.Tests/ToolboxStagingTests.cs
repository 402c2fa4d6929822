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
        Assert.IsTrue(File.Exists(Path.Combine(toolbox, "busybox")), "incremental clean deleted the staged busybox");
        Assert.IsTrue(File.Exists(Path.Combine(toolbox, "toybox")), "incremental clean deleted the staged toybox");
        var tools = (await File.ReadAllLinesAsync(Path.Combine(toolbox, "applets"), TestContext.CancellationToken))
            .Select(line => line.Split('\t'))
            .ToDictionary(parts => parts[0], parts => parts[1]);
        CollectionAssert.IsSubsetOf(UsualTools, tools.Keys.ToList());
        Assert.AreEqual("toybox", tools["ls"], "toybox serves every tool it has");
        Assert.AreEqual("toybox", tools["grep"]);
        Assert.AreEqual("busybox", tools["sh"], "busybox serves only what toybox lacks");
        Assert.AreEqual("busybox", tools["vi"]);
        Assert.AreEqual("busybox", tools["less"]);
    }
}
