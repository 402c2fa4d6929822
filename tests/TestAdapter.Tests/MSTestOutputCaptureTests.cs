namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// MSTest's console capture is chosen from the MSTest version actually loaded, through the real
/// `dotnet test` on MSTest 3.x, 4.0.x (which rejects CaptureTraceOutput=Live) and the newest 4.x:
/// no "Invalid value" message anywhere, and what a test wrote before Environment.Exit,
/// Environment.FailFast, a failed Debug.Assert or a hang is in its result.
/// </summary>
[TestClass]
public sealed class MSTestOutputCaptureTests
{
    [TestMethod]
    [DataRow("tests/Fixtures/TestProjects/MSTest3Fixture/MSTest3Fixture.csproj")]
    [DataRow("tests/Fixtures/TestProjects/MSTest40Fixture/MSTest40Fixture.csproj")]
    [DataRow("tests/Fixtures/TestProjects/MSTestFidelityFixture/MSTestFidelityFixture.csproj")]
    public async Task Output_written_before_the_process_ends_or_hangs_is_in_the_result(string project)
    {
        var path = DotnetTest.PathOf(project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);
        var settings = Path.Combine(Path.GetTempPath(), $"containertest-{Guid.NewGuid():N}.runsettings");
        await File.WriteAllTextAsync(settings, "<RunSettings><RunConfiguration><EnvironmentVariables><FIXTURE_CRASH>1</FIXTURE_CRASH></EnvironmentVariables></RunConfiguration></RunSettings>");

        var run = await DotnetTest.TestAsync(
            path,
            ["--settings", settings, "--filter", "FullyQualifiedName~OutputFixtures"],
            new Dictionary<string, string> { ["CONTAINERTEST_TIMEOUT"] = "10s" });

        Assert.IsFalse(run.Output.Contains("Invalid value", StringComparison.Ordinal), run.Output);
        Assert.AreEqual(5, run.Report.Results.Count, run.Output);
        Assert.AreEqual("Passed", run.Report.Single("WritesAndPasses").Outcome);
        StringAssert.Contains(run.Report.Single("WritesAndPasses").StdOut, "written by a passing test");
        foreach (var (test, output) in new[]
        {
            ("WritesThenExits", "written before Environment.Exit"),
            ("WritesThenFailsFast", "written before Environment.FailFast"),
            ("WritesThenDebugAssertFails", "written before a failed Debug.Assert"),
            ("WritesThenHangs", "written before the hang"),
        })
        {
            var result = run.Report.Single(test);
            Assert.AreEqual("Failed", result.Outcome, test);
            StringAssert.Contains(result.StdOut, output, $"{test}: {result.ErrorMessage}");
            Assert.IsFalse(result.StdOut.Contains("Invalid value", StringComparison.Ordinal), result.StdOut);
        }

        StringAssert.Contains(run.Report.Single("WritesThenHangs").ErrorMessage, "did not finish within 10 s");
    }
}
