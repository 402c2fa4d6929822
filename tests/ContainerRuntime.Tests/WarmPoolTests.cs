namespace ContainerTest.ContainerRuntime.Tests;

using System.Diagnostics;
using System.Text;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

/// <summary>
/// A warm pool starts containers before their jobs are known, hands each exactly one job's
/// input, and removes every container: used, failed, or never taken.
/// </summary>
[TestClass]
public sealed class WarmPoolTests
{
    private const string PoolLabel = "io.containertest.test-pool";
    private static readonly string[] JobNames = ["job1", "job2", "job3"];

    [TestMethod]
    public async Task Containers_are_started_ahead_and_each_runs_exactly_one_job()
    {
        var (template, marker) = Template("read line; echo \"$line in $(hostname)\"");
        var pool = await TestEngine.Backend.CreatePoolAsync(template, depth: 2, capacity: 3);
        await using (pool)
        {
            await WaitForRunningAsync(marker, expected: 2); // started before any job was asked for

            var results = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => pool.RunAsync(Line($"job{i}"))));

            var lines = results.Select(r => r.Stdout.Text.Trim()).ToList();
            CollectionAssert.AreEquivalent(JobNames, lines.Select(l => l.Split(' ')[0]).ToList());
            Assert.AreEqual(3, lines.Select(l => l.Split(' ')[2]).Distinct().Count(), "each job had a container of its own: " + string.Join(" | ", lines));
            Assert.IsTrue(results.All(r => r.Termination == TerminationReason.Exited && r.ExitCode == 0));
            Assert.AreEqual(0, (await TestEngine.ContainersWithLabelAsync(PoolLabel, marker)).Count, "used containers are removed");
            await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => pool.RunAsync(Line("job4")));
        }
    }

    [TestMethod]
    public async Task Disposing_the_pool_removes_the_containers_nobody_took()
    {
        var (template, marker) = Template("read line; echo \"$line\"");
        var pool = await TestEngine.Backend.CreatePoolAsync(template, depth: 3, capacity: 10);
        await using (pool)
        {
            var result = await pool.RunAsync(Line("only one"));
            Assert.AreEqual("only one\n", result.Stdout.Text);
            await WaitForRunningAsync(marker, expected: 3); // refilled after the one taken
        }

        Assert.AreEqual(0, (await TestEngine.ContainersWithLabelAsync(PoolLabel, marker)).Count, "the pool's unused containers are gone");
    }

    [TestMethod]
    public async Task The_timeout_counts_from_the_job_being_handed_in_not_from_the_container_start()
    {
        var (template, _) = Template("read line; if [ \"$line\" = slow ]; then sleep 30; fi; echo done");
        template = template with { Timeout = TimeSpan.FromSeconds(2) };
        var pool = await TestEngine.Backend.CreatePoolAsync(template, depth: 2, capacity: 2);
        await using (pool)
        {
            await Task.Delay(TimeSpan.FromSeconds(3)); // longer than the timeout, waiting warm

            var quick = await pool.RunAsync(Line("quick"));
            var clock = Stopwatch.StartNew();
            var slow = await pool.RunAsync(Line("slow"));

            Assert.AreEqual(TerminationReason.Exited, quick.Termination);
            Assert.AreEqual("done\n", quick.Stdout.Text);
            Assert.AreEqual(TerminationReason.TimedOut, slow.Termination);
            Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(15), $"killed at its timeout, not after {clock.Elapsed}");
        }
    }

    [TestMethod]
    public async Task A_container_that_fails_before_its_job_reports_why_to_that_job()
    {
        var (template, marker) = Template("echo cannot start >&2; sleep 1; exit 3");
        var pool = await TestEngine.Backend.CreatePoolAsync(template, depth: 1, capacity: 1);
        await using (pool)
        {
            // Taken only once the engine has removed it: its exit is known from the engine's events.
            await WaitForRunningAsync(marker, expected: 1);
            await WaitForRunningAsync(marker, expected: 0);
            var result = await pool.RunAsync(Line("anything"));

            Assert.AreEqual(TerminationReason.Exited, result.Termination);
            Assert.AreEqual(3, result.ExitCode);
            Assert.AreEqual("cannot start\n", result.Stderr.Text);
        }
    }

    [TestMethod]
    public async Task An_observer_sees_the_start_and_the_output_of_its_own_job()
    {
        var (template, _) = Template("read line; echo \"seen $line\"");
        var pool = await TestEngine.Backend.CreatePoolAsync(template, depth: 1, capacity: 1);
        await using (pool)
        {
            var observer = new RecordingObserver();
            var result = await pool.RunAsync(Line("x"), observer);

            Assert.AreEqual("seen x\n", string.Concat(observer.Chunks.Where(c => c.Channel == OutputChannel.Stdout).Select(c => c.Text)));
            Assert.AreEqual(result.InstanceId, observer.InstanceId);
        }
    }

    private static (JobSpec Template, string Marker) Template(string script)
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        return (Toolbox.Shell(script) with { Labels = new Dictionary<string, string> { [PoolLabel] = marker }, StopWhenOwnerExits = true }, marker);
    }

    private static byte[] Line(string text) => Encoding.UTF8.GetBytes(text + "\n");

    /// <summary>Until <paramref name="expected"/> pool containers run (for 0: until none exists at all).</summary>
    private static async Task WaitForRunningAsync(string marker, int expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var containers = await TestEngine.ContainersWithLabelAsync(PoolLabel, marker);
            var running = expected == 0 ? containers.Count : containers.Count(c => c.State == "running");
            if (running == expected)
            {
                return;
            }

            Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(30), $"{running} of {expected} pool containers running after 30 s");
            await Task.Delay(100);
        }
    }
}
