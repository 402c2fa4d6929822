namespace ContainerTest.ContainerRuntime.Tests;

using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

[TestClass]
public sealed class JobBasicsTests
{
    [TestMethod]
    public async Task Environment_variables_are_visible_to_the_command()
    {
        var result = await (Toolbox.Shell("echo \"greeting=$GREETING\"") with
        {
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello from the host" },
        }).RunAsync();

        Assert.AreEqual(TerminationReason.Exited, result.Termination);
        Assert.AreEqual(0, result.ExitCode);
        Assert.AreEqual("greeting=hello from the host\n", result.Stdout.Text);
    }

    [TestMethod]
    public async Task Working_directory_is_honoured()
    {
        var result = await (Toolbox.Shell("pwd") with { WorkingDirectory = "/srv/work/here" }).RunAsync();

        Assert.AreEqual("/srv/work/here\n", result.Stdout.Text);
    }

    [TestMethod]
    public async Task Command_runs_as_the_given_uid_and_gid()
    {
        var result = await (Toolbox.Shell("echo $(id -u):$(id -g)") with { User = new UserIdentity(1234, 2345) }).RunAsync();

        Assert.AreEqual("1234:2345\n", result.Stdout.Text);
    }

    [TestMethod]
    public async Task Stdout_stderr_and_exit_code_are_kept_apart()
    {
        var result = await Toolbox.Shell("echo to-out; echo to-err >&2; exit 7").RunAsync();

        Assert.AreEqual(TerminationReason.Exited, result.Termination);
        Assert.AreEqual(7, result.ExitCode);
        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual("to-out\n", result.Stdout.Text);
        Assert.AreEqual("to-err\n", result.Stderr.Text);
        Assert.IsTrue(result.EndedAt >= result.StartedAt);
    }

    [TestMethod]
    public async Task Output_beyond_the_limit_is_dropped_and_marked_truncated()
    {
        var result = await (Toolbox.Shell("head -c 5000 /dev/zero | tr '\\0' x") with { OutputLimitBytes = 1000 }).RunAsync();

        Assert.IsTrue(result.Stdout.Truncated);
        Assert.AreEqual(1000, result.Stdout.Bytes.Length);
        Assert.AreEqual(5000, result.Stdout.TotalBytes);
        Assert.AreEqual(new string('x', 1000), result.Stdout.Text);
    }

    [TestMethod]
    public async Task Output_streams_to_the_observer_while_the_job_runs()
    {
        var observer = new RecordingObserver();
        var result = await Toolbox.Shell("echo first; sleep 2; echo second").RunAsync(observer);

        Assert.AreEqual("first\nsecond\n", result.Stdout.Text);
        var first = observer.Chunks.First(c => c.Text.Contains("first", StringComparison.Ordinal));
        Assert.IsTrue(first.At < result.EndedAt - TimeSpan.FromSeconds(1), $"'first' arrived at {first.At:O}, the job ended at {result.EndedAt:O}: it was not streamed.");
        Assert.AreEqual(result.InstanceId, observer.InstanceId);
    }

    [TestMethod]
    public async Task Every_container_carries_the_run_and_job_labels_and_the_specs_own()
    {
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var observer = new RecordingObserver { Started = id => started.TrySetResult(id) };
        var spec = Toolbox.Shell("sleep 3") with { JobId = "labelled-job", Labels = new Dictionary<string, string> { ["example.test"] = "yes" } };

        var running = spec.RunAsync(observer);
        var containerId = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var labels = (await TestEngine.Inspector.Containers.InspectContainerAsync(containerId, CancellationToken.None)).Config!.Labels;
        var result = await running;

        Assert.AreEqual("labelled-job", result.JobId);
        Assert.AreEqual("true", labels[ContainerLabels.Managed]);
        Assert.AreEqual(TestEngine.Backend.RunId, labels[ContainerLabels.RunId]);
        Assert.AreEqual("labelled-job", labels[ContainerLabels.JobId]);
        Assert.AreEqual("yes", labels["example.test"]);
        Assert.AreEqual(0, (await TestEngine.ContainersWithLabelAsync(ContainerLabels.JobId, "labelled-job")).Count, "the container was not removed");
    }

    [TestMethod]
    public async Task A_command_that_cannot_start_is_reported_with_its_cause_and_leaves_no_container()
    {
        var spec = new JobSpec { Image = TestEngine.ToolboxImage, Command = ["/no/such/program"], JobId = "cannot-start-" + Guid.NewGuid().ToString("N")[..6] };

        var result = await spec.RunAsync();

        Assert.AreEqual(TerminationReason.FailedToStart, result.Termination);
        StringAssert.Contains(result.FailureCause, "/no/such/program");
        Assert.AreEqual(0, (await TestEngine.ContainersWithLabelAsync(ContainerLabels.JobId, spec.JobId)).Count);
    }
}
