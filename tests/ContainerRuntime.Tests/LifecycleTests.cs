namespace ContainerTest.ContainerRuntime.Tests;

using System.Diagnostics;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

[TestClass]
public sealed class LifecycleTests
{
    [TestMethod]
    public async Task A_job_past_its_timeout_is_killed_and_keeps_the_output_written_before()
    {
        var spec = Toolbox.Shell("echo before-the-hang; echo to-stderr >&2; sleep 120; echo never") with
        {
            Timeout = TimeSpan.FromSeconds(2),
            JobId = "timeout-" + Guid.NewGuid().ToString("N")[..6],
        };
        var clock = Stopwatch.StartNew();

        var result = await spec.RunAsync();

        Assert.AreEqual(TerminationReason.TimedOut, result.Termination);
        Assert.AreEqual("before-the-hang\n", result.Stdout.Text);
        Assert.AreEqual("to-stderr\n", result.Stderr.Text);
        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.AreEqual(0, (await TestEngine.ContainersWithLabelAsync(ContainerLabels.JobId, spec.JobId)).Count);
    }

    [TestMethod]
    public async Task Cancelling_a_running_job_stops_it_promptly_and_leaves_no_container()
    {
        using var cancel = new CancellationTokenSource();
        var jobId = "cancel-" + Guid.NewGuid().ToString("N")[..6];
        var observer = new RecordingObserver { Started = _ => cancel.CancelAfter(TimeSpan.FromMilliseconds(500)) };
        var clock = Stopwatch.StartNew();

        var result = await (Toolbox.Shell("echo started; sleep 120") with { JobId = jobId }).RunAsync(observer, cancel.Token);

        Assert.AreEqual(TerminationReason.Cancelled, result.Termination);
        Assert.IsNotNull(result.InstanceId);
        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.AreEqual(0, (await TestEngine.ContainersWithLabelAsync(ContainerLabels.JobId, jobId)).Count);
    }

    [TestMethod]
    public async Task Twenty_jobs_in_parallel_each_get_their_own_result()
    {
        var jobs = Enumerable.Range(1, 20).Select(n => (Toolbox.Shell("echo job-$N; exit $N") with
        {
            Environment = new Dictionary<string, string> { ["N"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            JobId = $"parallel-{n}-{Guid.NewGuid().ToString("N")[..6]}",
        }).RunAsync()).ToArray();

        var results = await Task.WhenAll(jobs);

        for (var n = 1; n <= 20; n++)
        {
            var result = results[n - 1];
            Assert.AreEqual($"job-{n}\n", result.Stdout.Text);
            Assert.AreEqual(n, result.ExitCode);
            StringAssert.StartsWith(result.JobId, $"parallel-{n}-");
        }

        Assert.AreEqual(20, results.Select(r => r.InstanceId).Distinct().Count(), "every job had a container of its own");
    }
}
