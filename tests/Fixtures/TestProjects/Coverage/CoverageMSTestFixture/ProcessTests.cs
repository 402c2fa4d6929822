namespace CoverageMSTestFixture;

using System.Diagnostics;
using CoverageLibrary;

[TestClass]
public sealed class ProcessTests
{
    /// <summary>Starts the CoverageChild program beside the test assembly, which covers what no test runs itself.</summary>
    [TestMethod]
    public void ChildProcess()
    {
        var child = Path.Combine(AppContext.BaseDirectory, "CoverageChild.dll");
        var start = new ProcessStartInfo("dotnet", [child, "one", "two"]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual("3", output.Trim());
    }

    /// <summary>Ends the test's process (Environment.Exit) when COVERAGE_FIXTURE_EXIT=1, after covering a line of the library.</summary>
    [TestMethod]
    public void EndsItsProcessWhenAsked()
    {
        var code = Processes.BeforeTheProcessEnds(2);
        if (Environment.GetEnvironmentVariable("COVERAGE_FIXTURE_EXIT") == "1")
        {
            Environment.Exit(code);
        }
    }
}
