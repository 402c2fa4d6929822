namespace ContainerTest.TestAdapter.Tests;

using System.Text.RegularExpressions;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Microsoft.Testing.Platform projects (MSTest and NUnit runners, xUnit v3) through the real SDK:
/// with ContainerTest referenced they build with exactly one warning saying ContainerTest does not
/// apply to them, and run — under dotnet test's MTP mode (the fixtures' global.json) and as the
/// executable itself — with the same results, TRX and exit code as the same project built without
/// ContainerTest. Before, the MSTest runner broke ("Zero tests ran", MSTest.TestAdapter not found).
/// </summary>
[TestClass]
public sealed partial class TestingPlatformTests
{
    private const string FixtureFolder = "tests/Fixtures/TestProjects/Mtp";

    [TestMethod]
    [DataRow("MtpMSTestFixture", "CT0001", "--filter", "Name=Passes")]
    [DataRow("MtpNUnitFixture", "CT0001", "--filter", "Name=Passes")]
    [DataRow("MtpXunitV3Fixture", "CT0002", "--filter-method", "MtpXunitV3Fixture.MtpTests.Passes")]
    public async Task A_testing_platform_project_warns_once_and_runs_as_it_does_without_ContainerTest(string name, string warning, string filterOption, string filter)
    {
        var project = DotnetTest.PathOf($"{FixtureFolder}/{name}/{name}.csproj");

        var native = await BuildAndRunAsync(project, containerTest: false, [filterOption, filter]);
        var withContainerTest = await BuildAndRunAsync(project, containerTest: true, [filterOption, filter]);

        Assert.AreEqual(0, WarningCount(native.Build, warning), native.Build);
        Assert.AreEqual(1, WarningCount(withContainerTest.Build, warning), "warned once: " + withContainerTest.Build);
        StringAssert.Contains(withContainerTest.Build, "run natively");

        Assert.AreEqual(2, native.Exe.ExitCode, "the fixture has one failing test (exit code 2): " + native.Exe.Output);
        Assert.IsTrue(native.Test.Outcomes.Any(o => o.EndsWith(": Failed", StringComparison.Ordinal)), "the failing test is reported");
        Assert.AreEqual(0, native.Filtered.ExitCode, "the filter selects the passing test only: " + native.Filtered.Output);
        Assert.AreEqual(1, native.Filtered.Outcomes.Count, native.Filtered.Output);
        foreach (var (mode, expected, actual) in new[] { ("dotnet test", native.Test, withContainerTest.Test), ("the executable", native.Exe, withContainerTest.Exe), ("dotnet test with a filter", native.Filtered, withContainerTest.Filtered) })
        {
            Assert.AreEqual(expected.ExitCode, actual.ExitCode, $"{mode}: exit code\n{actual.Output}");
            StringAssert.Contains(Summary(actual.Output), "total: ", $"{mode}: the platform's summary\n{actual.Output}");
            Assert.AreEqual(Summary(expected.Output), Summary(actual.Output), $"{mode}: console summary\n{actual.Output}");
            CollectionAssert.AreEquivalent(expected.Outcomes, actual.Outcomes, $"{mode}: TRX outcomes\n{actual.Output}");
        }
    }

    private sealed record Run(int ExitCode, string Output, List<string> Outcomes);

    private static async Task<(string Build, Run Test, Run Exe, Run Filtered)> BuildAndRunAsync(string project, bool containerTest, string[] filter)
    {
        var folder = Path.GetDirectoryName(project)!;
        var name = Path.GetFileNameWithoutExtension(project);
        string property = $"-p:ContainerTest={(containerTest ? "true" : "false")}";

        // A clean build each time, so that the build's own output (warnings) is seen.
        var (buildExit, build) = await DotnetTest.RunAsync(["build", project, "-c", "Release", "--no-incremental", "-nologo", property], null, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.AreEqual(0, buildExit, build);

        // dotnet test in the SDK's Microsoft.Testing.Platform mode: global.json in the fixture folder says so.
        var testResults = NewResultsFolder();
        var (testExit, testOutput) = await DotnetTest.RunAsync(["test", "-c", "Release", "--no-build", "--report-trx", "--results-directory", testResults], null, TimeSpan.FromMinutes(5), CancellationToken.None, workingDirectory: folder);

        // The apphost, as dotnet run or a CI script starts it.
        var exeResults = NewResultsFolder();
        var apphost = Path.Combine(folder, "bin", "Release", "net10.0", name);
        var (exeExit, exeOutput) = await DotnetTest.RunAsync(["--report-trx", "--results-directory", exeResults], null, TimeSpan.FromMinutes(5), CancellationToken.None, workingDirectory: folder, launcher: ["sh", "-c", "shift; exec \"$0\" \"$@\"", apphost]); // the launcher's "dotnet" is dropped

        // The platform's own filter options, as natively.
        var filteredResults = NewResultsFolder();
        var (filteredExit, filteredOutput) = await DotnetTest.RunAsync(["test", "-c", "Release", "--no-build", "--report-trx", "--results-directory", filteredResults, .. filter], null, TimeSpan.FromMinutes(5), CancellationToken.None, workingDirectory: folder);

        return (build, new Run(testExit, testOutput, Outcomes(testResults)), new Run(exeExit, exeOutput, Outcomes(exeResults)), new Run(filteredExit, filteredOutput, Outcomes(filteredResults)));
    }

    private static string NewResultsFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "containertest-mtp-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Every result's outcome, by test name, from the one TRX file the run wrote.</summary>
    private static List<string> Outcomes(string resultsFolder)
    {
        var trx = Directory.GetFiles(resultsFolder, "*.trx", SearchOption.AllDirectories);
        Assert.AreEqual(1, trx.Length, "one TRX file in " + resultsFolder);
        return TrxReport.Load(trx[0]).Results.Select(r => $"{r.TestName}: {r.Outcome}").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>How many warnings with <paramref name="code"/> the build gave (MSBuild repeats each in its closing summary).</summary>
    private static int WarningCount(string buildOutput, string code) =>
        buildOutput.Split('\n').Where(l => l.Contains($"warning {code}:", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().Count();

    /// <summary>The platform's summary lines (total, failed, succeeded, skipped), without durations.</summary>
    private static string Summary(string output) =>
        string.Join('\n', SummaryLine().Matches(output).Select(m => m.Value.Trim()));

    [GeneratedRegex(@"^\s*(total|failed|succeeded|skipped): \d+\s*$", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();
}
