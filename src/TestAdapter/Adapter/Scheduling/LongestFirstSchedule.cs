namespace ContainerTest.TestAdapter.Scheduling;

using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// The order tests start in: tests never seen before first (nothing is known of them, and they
/// are what the user just wrote), then those that failed last time (the answer the user waits
/// for), then the rest, longest first, so that a long test does not start last and leave the
/// other slots idle while it runs. Failed tests are also longest first among themselves. Ties
/// keep the discovery order.
/// </summary>
internal static class LongestFirstSchedule
{
    public static IReadOnlyList<TestCase> Order(IReadOnlyList<TestCase> testCases, IReadOnlyDictionary<TestKey, HistoryEntry> history)
    {
        ArgumentNullException.ThrowIfNull(testCases);
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            return testCases;
        }

        // OrderBy is a stable sort: equal keys keep the discovery order.
        return testCases
            .Select(testCase => (TestCase: testCase, Entry: history.GetValueOrDefault(TestKey.Of(testCase))))
            .OrderBy(t => t.Entry is null ? 0 : t.Entry.Outcome == TestOutcome.Failed ? 1 : 2)
            .ThenByDescending(t => t.Entry?.Duration ?? TimeSpan.Zero)
            .Select(t => t.TestCase)
            .ToList();
    }
}
