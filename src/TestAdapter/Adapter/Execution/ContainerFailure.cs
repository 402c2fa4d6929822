namespace ContainerTest.TestAdapter.Execution;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Settings;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// The result of a test whose container ended without the test reporting one: it crashed,
/// hung, ran out of memory, or never started. Failed, with the reason and the output it wrote.
/// </summary>
internal static class ContainerFailure
{
    /// <summary>
    /// The failed result for <paramref name="testCase"/>, whose container ended as <paramref name="job"/> says.
    /// <paramref name="resultsBefore"/> counts the results (data rows) it reported before that: the
    /// message then says it ended before the test finished rather than before it reported anything.
    /// </summary>
    public static TestResult For(TestCase testCase, JobResult job, string testOutput, IReadOnlyList<string> agentLog, ContainerTestSettings settings, string image, int resultsBefore = 0)
    {
        var before = resultsBefore > 0 ? "before the test finished" : "before the test reported a result";
        var reason = job.Termination switch
        {
            _ when RuntimeRequirement.IsMissingIn(job.FailureCause, job.Stderr.Text) =>
                $"The image '{image}' has no .NET runtime that can run {Path.GetFileName(testCase.Source)}: it needs {RuntimeRequirement.Describe(testCase.Source)}. "
                + "Set ContainerTestImage to an image with that runtime (for example mcr.microsoft.com/dotnet/runtime), or leave it unset to use the host image built from this machine's .NET.",
            TerminationReason.TimedOut =>
                $"The test did not finish within {Describe(settings.Timeout)} ({settings.TimeoutOrigin}): its {job.InstanceKind} was killed. Output written before the hang is below.",
            TerminationReason.OutOfMemory =>
                $"The test ran out of memory: its {job.InstanceKind} used more than the {settings.MemoryBytes / (1024 * 1024)} MiB allowed (ContainerTestMemory) and was killed. "
                + $"Files in /tmp and HOME count too: they are memory-backed ({settings.TmpSizeBytes / (1024 * 1024)} MiB each, ContainerTestTmpSize).",
            TerminationReason.FailedToStart =>
                $"ContainerTest could not start the test's {job.InstanceKind}: {job.FailureCause}",
            TerminationReason.WorkerLost =>
                $"The test's {job.InstanceKind} went away before the test finished: {job.FailureCause}",
            TerminationReason.Cancelled =>
                "The test run was cancelled before this test finished.",
            _ when agentLog.Count > 0 =>
                $"The test could not be run inside its {job.InstanceKind} (exit code {job.ExitCode}): {string.Join(Environment.NewLine, agentLog)}",
            _ when job.Stderr.Text.Contains("Resource temporarily unavailable", StringComparison.Ordinal) =>
                $"The test process exited with code {job.ExitCode} {before}: it could not start another process or thread — the {job.InstanceKind} allows {settings.Pids} (ContainerTestPids).",
            _ =>
                $"The test process exited with code {job.ExitCode} {before} — it crashed or ended the process (Environment.Exit, a stack overflow, an unhandled exception on another thread).",
        };

        if (settings.BlameCrash && job.Termination == TerminationReason.Exited)
        {
            reason += $" No dump was collected: --blame-crash takes dumps of the test host, and this test ran in a {job.InstanceKind}.";
        }

        var result = new TestResult(TestCaseTags.FrameworkView(testCase))
        {
            Outcome = TestOutcome.Failed,
            ErrorMessage = reason,
            ComputerName = Ran(job) ? ShortId(job.InstanceId) : Environment.MachineName,
            StartTime = job.StartedAt,
            EndTime = job.EndedAt,
            Duration = job.Duration,
        };
        if (Ran(job))
        {
            result.Messages.Add(Note(job.InstanceKind, job.InstanceId));
        }

        if (testOutput.Length > 0)
        {
            result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, testOutput));
        }

        if (job.Stderr.Bytes.Length > 0)
        {
            result.Messages.Add(new TestResultMessage(TestResultMessage.StandardErrorCategory, job.Stderr.Text));
        }

        return result;
    }

    /// <summary>True when the job's sandbox or container started (only a test that ran says where).</summary>
    private static bool Ran(JobResult job) => job.InstanceId is not null && job.Termination != TerminationReason.FailedToStart;

    /// <summary>
    /// The line every result of a test that ran carries: which container or sandbox ran it (its
    /// id is also the host name the test saw). The TRX logger writes the host's name as
    /// computerName whatever a result says, so the id travels as a message.
    /// </summary>
    public static TestResultMessage Note(string instanceKind, string? instanceId) =>
        new(TestResultMessage.AdditionalInfoCategory, $"ContainerTest: ran in {instanceKind} {ShortId(instanceId)}");

    /// <summary>The first 12 characters of a container id, as the docker CLI shows it.</summary>
    public static string ShortId(string? id) => id is null ? Environment.MachineName : id[..Math.Min(12, id.Length)];

    private static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0.#} s";
}
