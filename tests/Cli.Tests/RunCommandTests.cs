namespace ContainerTest.Cli.Tests;

using ContainerTest.Cli.Tests.Fixtures;

/// <summary>`dotnet containertest run`: the tests in their containers, outside `dotnet test`.</summary>
[TestClass]
public sealed class RunCommandTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Without_a_terminal_each_result_is_a_line_and_a_failure_makes_the_exit_code_non_zero()
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var (exit, output) = await CliTool.RunAsync("run", "--project", assembly, "--repeat", "2");
        Assert.AreEqual(1, exit, output);
        Assert.AreEqual(4, output.Split('\n').Count(l => l.StartsWith("passed  ShellFixture.ShellTests.", StringComparison.Ordinal)), output);
        Assert.AreEqual(2, output.Split('\n').Count(l => l.StartsWith("FAILED  ShellFixture.ShellTests.Leaves_a_file_and_fails", StringComparison.Ordinal)), output);
        StringAssert.Contains(output, "the deliberate failure of ShellFixture");
        StringAssert.Contains(output, "Failed: 4 passed, 2 failed, 0 skipped of 6 in ");
        Assert.IsFalse(output.Contains('\u001b', StringComparison.Ordinal), "terminal control codes in plain output:\n" + output);
    }

    [TestMethod]
    public async Task Stop_after_ends_the_run_at_the_first_failure_and_a_passing_selection_exits_zero()
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var (exit, output) = await CliTool.RunAsync("run", "Name=Leaves_a_file_and_fails", "--project", assembly, "--repeat", "20", "--stop-after", "1");
        Assert.AreEqual(1, exit, output);
        StringAssert.Contains(output, "(stopped: --stop-after 1 reached).");
        StringAssert.Contains(output, " not run of 20 in ");
        Assert.IsTrue(output.Split('\n').Count(l => l.StartsWith("FAILED", StringComparison.Ordinal)) < 20, output);

        (exit, output) = await CliTool.RunAsync("run", "Adds_two", "--project", assembly);
        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "Passed: 1 passed, 0 failed, 0 skipped of 1 in ");
    }

    [TestMethod]
    public async Task On_a_terminal_the_progress_line_shows_done_total_failures_and_elapsed_time()
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        await using var terminal = await TmuxSession.StartAsync(CliTool.ShellCommandLine("run", "--project", assembly));
        Assert.AreEqual(1, await terminal.ExitCodeAsync(TimeSpan.FromMinutes(2)));
        var screen = await terminal.ScreenAsync();
        StringAssert.Contains(screen, "FAILED  ShellFixture.ShellTests.Leaves_a_file_and_fails");
        StringAssert.Contains(screen, "Failed: 2 passed, 1 failed, 0 skipped of 3 in ");
        Assert.IsFalse(screen.Contains("passed  ShellFixture", StringComparison.Ordinal), "a terminal shows failures only, and the status line:\n" + screen);
    }
}
