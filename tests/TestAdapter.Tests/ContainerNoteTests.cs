namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Only a test that ran says where, through the real `dotnet test`: a container the engine
/// refused to create (a memory limit below its minimum) gets the reason, and no
/// "ran in container" line — with the warm pool and without it.
/// </summary>
[TestClass]
public sealed class ContainerNoteTests
{
    private const string Project = "tests/Fixtures/TestProjects/MSTestFidelityFixture/MSTestFidelityFixture.csproj";

    [TestMethod]
    [DataRow("4")]
    [DataRow("0")]
    public async Task A_container_that_never_started_names_no_container(string poolDepth)
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(
            path,
            ["--filter", "Name=WritesAndPasses"],
            new Dictionary<string, string> { ["CONTAINERTEST_MEMORY"] = "4m", ["CONTAINERTEST_POOL_DEPTH"] = poolDepth });

        var result = run.Report.Single("WritesAndPasses");
        Assert.AreEqual("Failed", result.Outcome, run.Output);
        StringAssert.Contains(result.ErrorMessage, "Minimum memory limit allowed is 6MB");
        Assert.IsNull(result.ContainerId, string.Join(" | ", result.TextMessages));
        Assert.IsFalse(run.Output.Contains("ran in container", StringComparison.Ordinal), run.Output);
    }
}
