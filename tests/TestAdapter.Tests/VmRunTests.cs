namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// <c>dotnet test</c> with ContainerTestBackend=qemu: every test in a virtual machine of its own
/// (under TCG on a machine without usable KVM, so one run of a few tests, read by every check).
/// Needs QEMU and a kernel (nuget/native/kernel.sh).
/// </summary>
[TestClass]
public sealed class VmRunTests
{
    private const string Project = "tests/Fixtures/TestProjects/VmFixture/VmFixture.csproj";
    private static readonly string[] AllTests = ["ExitsWithCode3", "HangsForever", "MarkerA", "MarkerB", "MarkerC", "OverflowsTheStack", "ReportsWhereItRuns"];
    private static readonly string[] Markers = ["MarkerA", "MarkerB", "MarkerC"];
    private static readonly string[] Reporting = ["ReportsWhereItRuns", "MarkerA", "MarkerB", "MarkerC"];
    private static DotnetTest.Outcome? run;

    private static DotnetTest.Outcome Run => run ?? throw new InvalidOperationException("The class fixture did not run.");

    [ClassInitialize]
    public static async Task RunFixtureAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var project = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(project, context.CancellationToken);
        run = await DotnetTest.TestAsync(
            project,
            ["--settings", Path.Combine(Path.GetDirectoryName(project)!, "vm.runsettings")],
            environment: new Dictionary<string, string> { ["CONTAINERTEST_BACKEND"] = "qemu", ["CONTAINERTEST_TIMEOUT"] = "60s", ["CONTAINERTEST_PARALLELISM"] = "2" },
            timeout: TimeSpan.FromMinutes(20),
            cancellationToken: context.CancellationToken);
    }

    [TestMethod]
    public void Every_test_reports_once_and_the_run_says_how_its_VMs_run_which_start_from_a_saved_state()
    {
        CollectionAssert.AreEqual(AllTests, Run.Report.Results.Select(r => r.TestName).Order().ToList(), Run.Output);
        StringAssert.Contains(Run.Output, "QEMU virtual machine of its own");
        Assert.IsFalse(Run.Output.Contains("cannot start from a saved state", StringComparison.Ordinal), "The tests' VMs booted one by one instead of starting from the saved state:\n" + Run.Output);
        Assert.IsTrue(Run.Output.Contains("TCG", StringComparison.Ordinal) || Run.Output.Contains("KVM", StringComparison.Ordinal), Run.Output);
        StringAssert.Contains(Run.Report.Single("ReportsWhereItRuns").TextMessages.Single(m => m.Contains("ran in", StringComparison.Ordinal)), "ContainerTest: ran in VM ");
    }

    [TestMethod]
    public void A_test_runs_as_the_test_user_in_its_output_folder_with_the_run_settings_environment_on_its_own_kernel()
    {
        var result = Run.Report.Single("ReportsWhereItRuns");
        var lines = Lines(result.StdOut);

        Assert.AreEqual("Passed", result.Outcome, result.ErrorMessage);
        Assert.AreEqual("1000", lines["uid"]);
        Assert.AreEqual(lines["base"], lines["cwd"]);
        Assert.AreEqual(Path.GetDirectoryName(DotnetTest.PathOf(Project)) + "/bin/Release/net10.0", lines["base"]);
        Assert.AreEqual("hello from runsettings", lines["fromRunSettings"]);
        Assert.AreNotEqual(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), lines["kernel"], "The test saw the host's kernel.");
    }

    [TestMethod]
    public void A_file_a_test_leaves_in_its_output_folder_or_tmp_is_seen_by_no_other_test()
    {
        foreach (var name in Markers)
        {
            Assert.AreEqual("Passed", Run.Report.Single(name).Outcome, Run.Report.Single(name).ErrorMessage);
        }

        var output = Path.GetDirectoryName(DotnetTest.PathOf(Project)) + "/bin/Release/net10.0";
        Assert.IsFalse(File.Exists(Path.Combine(output, "MarkerA")), "A test's marker reached the host's output folder.");
    }

    [TestMethod]
    public void Every_test_has_a_kernel_boot_of_its_own()
    {
        var boots = Reporting.Select(n => Lines(Run.Report.Single(n).StdOut)["boot"]).ToList();

        Assert.AreEqual(boots.Count, boots.Distinct().Count(), $"Two tests share a kernel boot: {string.Join(", ", boots)}");
        CollectionAssert.DoesNotContain(boots, File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(), "A test saw the host's boot id.");
    }

    [TestMethod]
    public void Exit_codes_crashes_and_hangs_fail_only_their_own_test_with_the_reason_and_the_output_before()
    {
        var exit = Run.Report.Single("ExitsWithCode3");
        Assert.AreEqual("Failed", exit.Outcome);
        StringAssert.Contains(exit.ErrorMessage, "exited with code 3");
        StringAssert.Contains(exit.StdOut, "about to exit");

        var overflow = Run.Report.Single("OverflowsTheStack");
        Assert.AreEqual("Failed", overflow.Outcome);
        StringAssert.Contains(overflow.ErrorMessage, "before the test reported a result");
        StringAssert.Contains(overflow.StdErr, "Stack overflow");

        var hang = Run.Report.Single("HangsForever");
        Assert.AreEqual("Failed", hang.Outcome);
        StringAssert.Contains(hang.ErrorMessage, "did not finish within 1 min");
        StringAssert.Contains(hang.ErrorMessage, "its VM was killed");
        StringAssert.Contains(hang.StdOut, "before the hang");
    }

    private static Dictionary<string, string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('=', StringComparison.Ordinal))
            .GroupBy(l => l[..l.IndexOf('=', StringComparison.Ordinal)])
            .ToDictionary(g => g.Key, g => g.Last()[(g.Key.Length + 1)..]);
}
