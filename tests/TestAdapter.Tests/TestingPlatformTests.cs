namespace ContainerTest.TestAdapter.Tests;

using System.Text.RegularExpressions;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Microsoft.Testing.Platform projects (MSTest's runner, NUnit's runner — built on the VSTest
/// bridge —, xUnit v3 with its platform runner) through the real SDK, built once without
/// ContainerTest and once with it, each run three ways: the apphost, <c>dotnet test</c> in the
/// SDK's MTP mode (the fixtures' global.json), and <c>dotnet test</c> with the framework's own
/// filter. With ContainerTest, every test runs in a sandbox of its own (two tests that share
/// /tmp and a static field in one process both pass, each seeing its own host name), and
/// everything else — the platform's console summary, the TRX outcomes and error messages, the
/// exit codes, what a filter selects — is what the same project gives natively.
/// </summary>
[TestClass]
public sealed partial class TestingPlatformTests
{
    private const string FixtureFolder = "tests/Fixtures/TestProjects/Mtp";

    [TestMethod]
    [DataRow("MtpMSTestFixture", "--filter", "FullyQualifiedName~.MtpTests.", "Name=Passes")]
    [DataRow("MtpNUnitFixture", "--filter", "FullyQualifiedName~.MtpTests.", "Name=Passes")]
    [DataRow("MtpXunitV3Fixture", "--filter-class", "MtpXunitV3Fixture.MtpTests", null)]
    public async Task Each_test_runs_in_a_sandbox_of_its_own_and_reports_as_natively(string name, string filterOption, string classFilter, string? nameFilter)
    {
        var project = DotnetTest.PathOf($"{FixtureFolder}/{name}/{name}.csproj");
        string[] passesOnly = nameFilter is null ? ["--filter-method", $"{name}.MtpTests.Passes"] : [filterOption, nameFilter];

        var native = await BuildAndRunAsync(project, containerTest: false, [filterOption, classFilter], passesOnly);
        var isolated = await BuildAndRunAsync(project, containerTest: true, [filterOption, classFilter], passesOnly);

        Assert.AreEqual(0, WarningCount(isolated.Build, "CT0001") + WarningCount(isolated.Build, "CT0002"), "an application ContainerTest joins builds without a warning: " + isolated.Build);

        // Natively the two isolation tests share one process (and this machine's /tmp): the second to run fails, at least.
        Assert.IsTrue(native.Exe.Outcomes.Any(o => o.StartsWith("IsolationTests.", StringComparison.Ordinal) && o.EndsWith(": Failed", StringComparison.Ordinal)), "natively, an isolation test sees the other's traces: " + string.Join(", ", native.Exe.Outcomes));

        // With ContainerTest each has a sandbox of its own: both pass, each saw its own host name.
        var hosts = isolated.Exe.Trx.Results.Where(r => r.TestName.Contains("SeesAFreshProcess", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(2, hosts.Count, isolated.Exe.Output);
        Assert.IsTrue(hosts.All(r => r.Outcome == "Passed"), "each isolation test passed in its sandbox: " + isolated.Exe.Output);
        var hostNames = hosts.Select(r => HostLine().Match(r.StdOut).Groups[1].Value).ToList();
        Assert.IsTrue(hostNames.All(h => h.Length > 0 && h != Environment.MachineName), "each test saw a sandbox's host name, not this machine's: " + string.Join(", ", hostNames));
        Assert.AreNotEqual(hostNames[0], hostNames[1], "two tests, two sandboxes");
        Assert.AreEqual(2, isolated.Exe.ExitCode, "one test fails on purpose (exit code 2): " + isolated.Exe.Output);
        StringAssert.Contains(isolated.Exe.Output, "each in its own sandbox", "the run says where its tests run");

        // Everything but isolation is the native run's: the platform's summary, outcomes, messages, exit codes, filters.
        foreach (var (mode, expected, actual) in new[] { ("dotnet test", native.Test, isolated.Test), ("the executable", native.Exe, isolated.Exe), ("dotnet test with a filter", native.Filtered, isolated.Filtered) })
        {
            var comparable = mode == "the executable"
                ? (Expected: expected.Outcomes.Where(o => !o.StartsWith("IsolationTests.", StringComparison.Ordinal)), Actual: actual.Outcomes.Where(o => !o.StartsWith("IsolationTests.", StringComparison.Ordinal)))
                : (Expected: expected.Outcomes, Actual: actual.Outcomes);
            CollectionAssert.AreEquivalent(comparable.Expected.ToList(), comparable.Actual.ToList(), $"{mode}: TRX outcomes\n{actual.Output}");
            if (mode != "the executable")
            {
                Assert.AreEqual(expected.ExitCode, actual.ExitCode, $"{mode}: exit code\n{actual.Output}");
                StringAssert.Contains(Summary(actual.Output), "total: ", $"{mode}: the platform's summary\n{actual.Output}");
                Assert.AreEqual(Summary(expected.Output), Summary(actual.Output), $"{mode}: console summary\n{actual.Output}");
            }
        }

        var nativeFailure = native.Test.Trx.Results.Single(r => r.Outcome == "Failed");
        var isolatedFailure = isolated.Test.Trx.Results.Single(r => r.Outcome == "Failed");
        Assert.AreEqual(nativeFailure.ErrorMessage, isolatedFailure.ErrorMessage, "the framework's own failure message, in the TRX");
        Assert.AreEqual(FirstLine(nativeFailure.StackTrace), FirstLine(isolatedFailure.StackTrace), "the framework's own stack trace, in the TRX");
        Assert.AreEqual(2, native.Test.ExitCode, "natively, the failing test fails the run: " + native.Test.Output);
        Assert.AreEqual(0, isolated.Filtered.ExitCode, "the filter selects the passing test only: " + isolated.Filtered.Output);
        Assert.AreEqual(1, isolated.Filtered.Outcomes.Count, isolated.Filtered.Output);

        Assert.AreEqual(0, await LeftoverContainers.CountForAsync(project), await LeftoverContainers.DescribeForAsync(project));
    }

    [TestMethod]
    public async Task A_test_that_ends_its_process_fails_alone_and_says_why()
    {
        var project = DotnetTest.PathOf($"{FixtureFolder}/MtpCrashFixture/MtpCrashFixture.csproj");
        var (buildExit, build) = await DotnetTest.RunAsync(["build", project, "-c", "Release", "-nologo"], null, TimeSpan.FromMinutes(8), CancellationToken.None);
        Assert.AreEqual(0, buildExit, build);

        var run = await RunAsync(["--report-trx"], Path.GetDirectoryName(project)!, Path.Combine(Path.GetDirectoryName(project)!, "bin", "Release", "net10.0", "MtpCrashFixture"));

        Assert.AreEqual(2, run.ExitCode, "a failed test, not a dead run: " + run.Output);
        CollectionAssert.AreEquivalent(CrashOutcomes, run.Outcomes, run.Output);
        var crashed = run.Trx.Single("EndsItsProcess");
        // The platform's own exit handler turns Environment.Exit(3) into its exit code 7 (the session failed); the code the process really ended with is the one to report.
        StringAssert.Matches(crashed.ErrorMessage, new Regex("exited with code [0-9]+ before the test reported a result"), "the reason, in the TRX");
        StringAssert.Contains(run.Output, "before the test reported a result", "the reason, on the console");
        StringAssert.Contains(run.Output, "exit code is '3'", "the code the test ended its process with, as the platform tells it natively");
        Assert.AreEqual(0, await LeftoverContainers.CountForAsync(project), await LeftoverContainers.DescribeForAsync(project));
    }

    [TestMethod]
    public async Task The_packed_package_runs_a_test_executables_tests_each_in_a_sandbox()
    {
        // What a user gets: the package (not the build from source), an MSTest runner project, its apphost.
        var project = await PackagedProject.BuildAsync("MtpRunnerFixture", CancellationToken.None);
        var folder = Path.GetDirectoryName(project)!;

        var run = await RunAsync(["--report-trx"], folder, Path.Combine(folder, "bin", "Release", "net10.0", "MtpRunnerFixture"));

        Assert.AreEqual(0, run.ExitCode, run.Output);
        CollectionAssert.AreEqual(PackagedOutcomes, run.Outcomes, run.Output);
        StringAssert.Contains(run.Output, "each in its own sandbox", run.Output);
        Assert.IsTrue(File.Exists(Path.Combine(folder, "bin", "Release", "net10.0", ".containertest", "runtime", "ContainerTest.TestAdapter.Core.dll")), "the adapter in the private runtime folder");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "bin", "Release", "net10.0", "ContainerTest.TestAdapter.dll")), "no VSTest adapter in a runner project's output root");
    }

    private static readonly string[] CrashOutcomes = ["EndsItsProcess: Failed", "Passes: Passed"];
    private static readonly string[] PackagedOutcomes = ["IsolationTests.FirstSeesAFreshProcess: Passed", "IsolationTests.SecondSeesAFreshProcess: Passed"];

    private sealed record Run(int ExitCode, string Output, TrxReport Trx, List<string> Outcomes);

    private static async Task<(string Build, Run Test, Run Exe, Run Filtered)> BuildAndRunAsync(string project, bool containerTest, string[] classFilter, string[] passesOnly)
    {
        var folder = Path.GetDirectoryName(project)!;
        var name = Path.GetFileNameWithoutExtension(project);

        // A clean build of the project each time, so that the build's own output (warnings) is seen
        // and nothing of the other build stays in its output folder; ContainerTest's own projects
        // are rebuilt only when build.sh has not just built them.
        var (buildExit, build) = await DotnetTest.RunAsync(["build", project, "-c", "Release", "--no-incremental", "-nologo", $"-p:ContainerTest={(containerTest ? "true" : "false")}", .. DotnetTest.SolutionBuiltSwitches], null, TimeSpan.FromMinutes(8), CancellationToken.None);
        Assert.AreEqual(0, buildExit, build);

        // The apphost, as dotnet run or a CI script starts it: every test.
        var exe = await RunAsync(["--report-trx"], folder, Path.Combine(folder, "bin", "Release", "net10.0", name));

        // dotnet test in the SDK's Microsoft.Testing.Platform mode (global.json in the fixture folder): the class without the isolation tests.
        var test = await RunAsync(["test", "-c", "Release", "--no-build", "--report-trx", .. classFilter], folder);

        // The framework's own filter, to one test.
        var filtered = await RunAsync(["test", "-c", "Release", "--no-build", "--report-trx", .. passesOnly], folder);
        return (build, test, exe, filtered);
    }

    private static async Task<Run> RunAsync(string[] arguments, string folder, string? apphost = null)
    {
        var results = Path.Combine(Path.GetTempPath(), "containertest-mtp-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(results);
        string[] all = [.. arguments, "--results-directory", results];
        var (exit, output) = apphost is null
            ? await DotnetTest.RunAsync(all, null, TimeSpan.FromMinutes(8), CancellationToken.None, workingDirectory: folder)
            : await DotnetTest.RunAsync(all, null, TimeSpan.FromMinutes(8), CancellationToken.None, workingDirectory: folder, launcher: ["sh", "-c", "shift; exec \"$0\" \"$@\"", apphost]); // the launcher's "dotnet" is dropped
        var trx = Directory.GetFiles(results, "*.trx", SearchOption.AllDirectories);
        Assert.AreEqual(1, trx.Length, $"one TRX file in {results}:\n{output}");
        var report = TrxReport.Load(trx[0]);
        return new Run(exit, output, report, report.Results.Select(r => $"{ClassOf(r.TestName)}{r.TestName}: {r.Outcome}").Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>"IsolationTests." for the isolation tests (whose outcome differs natively by design), so they can be told apart.</summary>
    private static string ClassOf(string testName) => testName.Contains("SeesAFreshProcess", StringComparison.Ordinal) ? "IsolationTests." : string.Empty;

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <summary>How many warnings with <paramref name="code"/> the build gave (MSBuild repeats each in its closing summary).</summary>
    private static int WarningCount(string buildOutput, string code) =>
        buildOutput.Split('\n').Where(l => l.Contains($"warning {code}:", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().Count();

    /// <summary>The platform's summary lines (total, failed, succeeded, skipped), without durations.</summary>
    private static string Summary(string output) =>
        string.Join('\n', SummaryLine().Matches(output).Select(m => m.Value.Trim()));

    [GeneratedRegex(@"^\s*(total|failed|succeeded|skipped): \d+\s*$", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"host=(\S+)")]
    private static partial Regex HostLine();
}
