namespace ContainerTest.TestAdapter.Execution;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Settings;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// What to add once a test's container has ended, given what the agent reported: nothing when
/// the framework reported every result (a slow or abnormal end of the container after that is a
/// warning, never a second, contradicting result); one Failed result when it reported some rows
/// and then died; the reason when it reported nothing at all.
/// </summary>
internal static class TestCaseEnding
{
    /// <summary>The result to add (null: none) and a warning to log (null: none).</summary>
    public sealed record Verdict(TestResult? Result, string? Warning);

    public static Verdict Judge(TestCase testCase, JobResult job, AgentOutputReader reader, IReadOnlyList<string> agentErrors, ContainerTestSettings settings, string image)
    {
        var complete = reader.Ended || reader.Done;
        if (complete && reader.ResultCount > 0)
        {
            return new Verdict(null, CleanEnd(job) ? null : $"ContainerTest: {testCase.DisplayName} reported its result(s), and then its container {HowItEnded(job, settings)}. The reported result(s) stand.");
        }

        if (reader.ResultCount == 0 && reader.Done && job.Termination == TerminationReason.Exited)
        {
            return new Verdict(NoResult(testCase, job, reader, settings), null);
        }

        var failure = ContainerFailure.For(testCase, job, reader.TestOutput, agentErrors, settings, image, reader.ResultCount);
        if (reader.ResultCount > 0)
        {
            failure.ErrorMessage += " " + ReportedRows(testCase, reader);
        }

        return new Verdict(failure, null);
    }

    /// <summary>For a test case that reported some rows and not its end: which rows did.</summary>
    public static string ReportedRows(TestCase testCase, AgentOutputReader reader) =>
        $"{reader.ResultCount} result(s) had been reported ({string.Join(", ", reader.ResultNames.Select(n => n.Length == 0 ? testCase.DisplayName : n))}); every other data row of this test reported none.";

    /// <summary>
    /// The agent ran the test case through the framework adapter, which finished without a word
    /// about it: the framework did not find or did not select it in the container.
    /// </summary>
    private static TestResult NoResult(TestCase testCase, JobResult job, AgentOutputReader reader, ContainerTestSettings settings)
    {
        var logged = reader.Log.Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        var result = new TestResult(TestCaseTags.FrameworkView(testCase))
        {
            Outcome = TestOutcome.Failed,
            ErrorMessage = $"The test framework's adapter ({TestCaseTags.FrameworkExecutorOf(testCase)}) ran in the test's container and finished cleanly, but reported no result for this test: "
                + "it did not find the test there, or could not select it alone. A test case built from files or settings the container does not have "
                + $"(the container sees {SourceTree.Describe(Path.GetDirectoryName(Path.GetFullPath(testCase.Source))!, settings)}) does not exist there: "
                + "widen what it sees with ContainerTestSourceRoot or ContainerTestReadOnlyPaths. "
                + (logged.Count > 0 ? "What the adapter logged:" + Environment.NewLine + string.Join(Environment.NewLine, logged) : "The adapter logged nothing."),
            ComputerName = ContainerFailure.ShortId(job.InstanceId),
            StartTime = job.StartedAt,
            EndTime = job.EndedAt,
            Duration = job.Duration,
        };
        result.Messages.Add(ContainerFailure.Note(job.InstanceKind, job.InstanceId));
        if (reader.TestOutput.Length > 0)
        {
            result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, reader.TestOutput));
        }

        return result;
    }

    private static bool CleanEnd(JobResult job) => job.Termination == TerminationReason.Exited && job.ExitCode is null or 0;

    private static string HowItEnded(JobResult job, ContainerTestSettings settings) => job.Termination switch
    {
        TerminationReason.TimedOut => $"did not end within the {settings.Timeout.TotalSeconds:0.#} s allowed ({settings.TimeoutOrigin}) and was killed",
        TerminationReason.OutOfMemory => "ran out of memory and was killed",
        TerminationReason.FailedToStart => $"failed: {job.FailureCause}",
        _ => $"exited with code {job.ExitCode}",
    };
}
