namespace ContainerTest.TestAdapter.Scheduling;

using ContainerTest.TestAdapter.Execution;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// Wraps a run in the duration history: its tests start in <see cref="LongestFirstSchedule"/>
/// order, and at its end — also when it was cancelled or failed — what finished is written
/// back. Without a history file the tests keep their discovery order.
/// </summary>
internal static class HistoryScheduledRun
{
    public static async Task RunAsync(
        string? historyFile,
        IReadOnlyList<TestCase> testCases,
        SynchronizedFrameworkHandle handle,
        DurationRecorder recorder,
        Func<IReadOnlyList<TestCase>, CancellationToken, Task> run,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(run);
        var history = await DurationHistory.LoadAsync(historyFile, handle, cancellationToken).ConfigureAwait(false);
        try
        {
            await run(LongestFirstSchedule.Order(testCases, history.Entries), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            recorder.WriteTo(history);

            // Not the run's token: a cancelled run still keeps what finished (a small file, written at once).
            await history.SaveAsync(handle, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
