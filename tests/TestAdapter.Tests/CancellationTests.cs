namespace ContainerTest.TestAdapter.Tests;

using System.Diagnostics;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>Ctrl-C in the middle of `dotnet test`: the run stops and no container is left.</summary>
[TestClass]
public sealed class CancellationTests
{
    private const string Project = "tests/Fixtures/TestProjects/CrashFixture/CrashFixture.csproj";

    [TestMethod]
    public async Task Ctrl_C_in_the_middle_of_a_run_leaves_no_container()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        // A process group of its own, like a terminal's foreground job, so Ctrl-C reaches all of it and nothing else.
        // SIGINT at its default: a shell runs background jobs (as CI may run this suite) with SIGINT
        // ignored, every process inherits that, and a Ctrl-C would never arrive.
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DotnetTest.RepositoryRoot };
        foreach (var argument in new[] { "env", "--default-signal=INT", "dotnet", "test", path, "-c", "Release", "--no-build", "--filter", "Name=HangsForever" })
        {
            start.ArgumentList.Add(argument);
        }

        using var run = Process.Start(start)!;
        try
        {
            await InterruptAndWatchAsync(path, run);
        }
        finally
        {
            if (!run.HasExited)
            {
                // Whatever the outcome, the run must not outlive the test (nor keep its container).
                using var kill = Process.Start("kill", ["-KILL", "--", "-" + run.Id]);
                await kill!.WaitForExitAsync();
            }
        }
    }

    private static async Task InterruptAndWatchAsync(string path, Process run)
    {
        var clock = Stopwatch.StartNew();
        while (await LeftoverContainers.CountForAsync(path) == 0)
        {
            Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(90), "the test's container never started");
            await Task.Delay(200);
        }

        using (var interrupt = Process.Start("kill", ["-INT", "--", "-" + run.Id]))
        {
            await interrupt.WaitForExitAsync();
        }

        clock.Restart();
        while (await LeftoverContainers.CountForAsync(path) > 0)
        {
            if (clock.Elapsed >= TimeSpan.FromSeconds(15))
            {
                Assert.Fail($"a container outlived the Ctrl-C'd run (pid {run.Id}, exited: {run.HasExited}) by 15 s: {await LeftoverContainers.DescribeForAsync(path)}");
            }
            await Task.Delay(200);
        }

        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await run.WaitForExitAsync(exited.Token);
    }
}
