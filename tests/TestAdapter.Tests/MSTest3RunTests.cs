namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>MSTest 3.x through the real `dotnet test`: attachments come home, runsettings reach the test, ignored stays ignored.</summary>
[TestClass]
public sealed class MSTest3RunTests
{
    private const string Project = "tests/Fixtures/TestProjects/MSTest3Fixture/MSTest3Fixture.csproj";
    private static DotnetTest.Outcome run = null!;

    [ClassInitialize]
    public static async Task RunFixtureAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, context.CancellationToken);
        var settings = Path.Combine(Path.GetTempPath(), $"containertest-{Guid.NewGuid():N}.runsettings");
        await File.WriteAllTextAsync(
            settings,
            "<RunSettings><RunConfiguration><EnvironmentVariables><FIXTURE_VARIABLE>from-runsettings</FIXTURE_VARIABLE></EnvironmentVariables></RunConfiguration></RunSettings>",
            context.CancellationToken);
        run = await DotnetTest.TestAsync(path, ["--settings", settings], cancellationToken: context.CancellationToken);
    }

    [TestMethod]
    public void Outcomes_and_messages_are_the_frameworks()
    {
        Assert.AreEqual("Passed", run.Report.Single("Passes").Outcome, run.Output);
        StringAssert.Contains(run.Report.Single("Passes").StdOut, "hello from MSTest 3");
        Assert.AreEqual("Failed", run.Report.Single("Fails").Outcome);
        StringAssert.Contains(run.Report.Single("Fails").ErrorMessage, "failing on purpose in MSTest 3");
        Assert.AreEqual("NotExecuted", run.Report.Single("Ignored").Outcome);
        Assert.AreEqual(3, run.Report.Results.Count(r => r.TestName.StartsWith("Rows", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void A_file_the_test_attaches_in_its_container_comes_back_into_the_trx()
    {
        var result = run.Report.Single("AttachesAFile");

        Assert.AreEqual("Passed", result.Outcome);
        Assert.AreEqual(1, result.ResultFiles.Count, run.Output);
        StringAssert.EndsWith(result.ResultFiles[0], "attachment-from-container.txt");
    }

    [TestMethod]
    public void RunSettings_environment_variables_reach_the_test_in_its_container()
    {
        StringAssert.Contains(run.Report.Single("SeesTheRunSettingsEnvironment").StdOut, "FIXTURE_VARIABLE=from-runsettings");
    }
}
