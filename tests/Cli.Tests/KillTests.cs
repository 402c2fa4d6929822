namespace ContainerTest.Cli.Tests;

using System.Diagnostics;
using System.Globalization;
using ContainerTest.Cli.Tests.Fixtures;

/// <summary>
/// `dotnet containertest` killed outright (SIGKILL: none of its code runs any more) in the middle
/// of `run` or of a `shell` session leaves nothing of its run on the engine 15 s later — its
/// reaper removes the containers or workers, the shell's own included — in both isolation modes.
/// </summary>
[TestClass]
public sealed class KillTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task A_run_killed_while_tests_run_leaves_nothing(string isolation)
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "dotnet-containertest.dll"), "run", "--project", assembly, "--repeat", "30" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CONTAINERTEST_ISOLATION"] = isolation;
        using var tool = Process.Start(start)!;
        var output = tool.StandardOutput.ReadToEndAsync();
        _ = tool.StandardError.ReadToEndAsync();
        try
        {
            // Once the first results are in (tests run, the pool refills), kill it.
            var run = new RunOfProcess(tool.Id);
            var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(120);
            while ((await run.ListAsync()).Count(r => r.EndsWith(" running worker", StringComparison.Ordinal) || r.EndsWith(" running job", StringComparison.Ordinal)) < 2)
            {
                if (tool.HasExited)
                {
                    Assert.Fail("the tool ended before its tests ran: " + await output);
                }

                Assert.IsTrue(DateTimeOffset.UtcNow < until, "no test ran within 120 s");
                await Task.Delay(100);
            }

            tool.Kill();
            var killed = DateTimeOffset.UtcNow;
            var left = await run.ListAsync();
            var took = await run.WaitUntilNothingLeftAsync(killed, Limit, $"{isolation}: `run` killed with {string.Join("; ", left)}");
            Console.WriteLine($"{isolation}: killed with {string.Join("; ", left)}; nothing left {took.TotalSeconds:0.0} s later");
        }
        finally
        {
            tool.Kill();
        }
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task A_shell_killed_mid_session_leaves_nothing(string isolation)
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var marker = "kill-test-" + Guid.NewGuid().ToString("N")[..8];
        await using var terminal = await TmuxSession.StartAsync($"CONTAINERTEST_ISOLATION={isolation} KILL_TEST_MARKER={marker} " + CliTool.ShellCommandLine("shell", "Adds_two", "--project", assembly));
        await terminal.WaitForAsync("[containertest] ");

        var pid = ProcessWith("KILL_TEST_MARKER=" + marker);
        var run = new RunOfProcess(pid);
        var before = await run.ListAsync();
        Assert.IsTrue(before.Any(r => r.EndsWith(" running shell", StringComparison.Ordinal)), "the session's container is not there: " + string.Join("; ", before));

        using (var kill = Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var took = await run.WaitUntilNothingLeftAsync(DateTimeOffset.UtcNow, Limit, $"{isolation}: shell killed with {string.Join("; ", before)}");
        Console.WriteLine($"{isolation}: killed with {string.Join("; ", before)}; nothing left {took.TotalSeconds:0.0} s later");
    }

    /// <summary>The one process whose environment holds <paramref name="variable"/> (NAME=value).</summary>
    private static int ProcessWith(string variable)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(directory, "environ")).Split('\0').Contains(variable)
                        && File.ReadAllText(Path.Combine(directory, "cmdline")).Contains("dotnet-containertest", StringComparison.Ordinal))
                    {
                        found.Add(pid);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // gone, or not ours to read
                }
            }
        }

        Assert.AreEqual(1, found.Count, $"processes with {variable}: {string.Join(", ", found)}");
        return found[0];
    }
}
