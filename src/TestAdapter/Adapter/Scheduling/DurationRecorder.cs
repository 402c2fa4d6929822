namespace ContainerTest.TestAdapter.Scheduling;

using System.Diagnostics;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// Watches the results going to vstest and turns each finished test into what the duration
/// history remembers: its duration is what its results say (summed over data rows), or the
/// time from its start to its end when they say nothing; its outcome is Failed when any result
/// or the end says so. A test that never ended (the run was cancelled) is not recorded.
/// </summary>
internal sealed class DurationRecorder
{
    private readonly object gate = new();
    private readonly Dictionary<TestKey, long> started = [];
    private readonly Dictionary<TestKey, (TimeSpan Duration, TestOutcome? Outcome, bool Failed)> results = [];
    private readonly List<(TestKey Key, TimeSpan Duration, TestOutcome Outcome)> finished = [];

    public void Start(TestCase testCase)
    {
        lock (gate)
        {
            started.TryAdd(TestKey.Of(testCase), Stopwatch.GetTimestamp());
        }
    }

    public void Result(TestResult result)
    {
        lock (gate)
        {
            var key = TestKey.Of(result.TestCase);
            var (duration, outcome, failed) = results.GetValueOrDefault(key);
            results[key] = (duration + result.Duration, outcome ?? result.Outcome, failed || result.Outcome == TestOutcome.Failed);
        }
    }

    public void End(TestCase testCase, TestOutcome outcome)
    {
        lock (gate)
        {
            var key = TestKey.Of(testCase);
            var (duration, reported, failed) = results.GetValueOrDefault(key);
            if (duration <= TimeSpan.Zero && started.TryGetValue(key, out var start))
            {
                duration = Stopwatch.GetElapsedTime(start);
            }

            finished.Add((key, duration, failed || outcome == TestOutcome.Failed ? TestOutcome.Failed : reported ?? outcome));
            started.Remove(key);
            results.Remove(key);
        }
    }

    /// <summary>Records every test that ended so far into <paramref name="history"/>.</summary>
    public void WriteTo(DurationHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        lock (gate)
        {
            foreach (var (key, duration, outcome) in finished)
            {
                history.Record(key, duration, outcome);
            }
        }
    }
}
