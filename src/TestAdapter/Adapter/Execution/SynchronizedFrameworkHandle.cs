namespace ContainerTest.TestAdapter.Execution;

using ContainerTest.TestAdapter.Scheduling;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// Lets many test containers report at once: one call into vstest at a time. Every start,
/// result and end also goes to the duration recorder, when given, for the duration history.
/// </summary>
internal sealed class SynchronizedFrameworkHandle(IFrameworkHandle inner, DurationRecorder? recorder = null) : IMessageLogger
{
    private readonly object gate = new();

    public void RecordStart(TestCase testCase)
    {
        lock (gate)
        {
            inner.RecordStart(testCase);
            recorder?.Start(testCase);
        }
    }

    public void RecordResult(TestResult result)
    {
        lock (gate)
        {
            inner.RecordResult(result);
            recorder?.Result(result);
        }
    }

    public void RecordEnd(TestCase testCase, TestOutcome outcome)
    {
        lock (gate)
        {
            inner.RecordEnd(testCase, outcome);
            recorder?.End(testCase, outcome);
        }
    }

    public void SendMessage(TestMessageLevel level, string message)
    {
        lock (gate)
        {
            inner.SendMessage(level, message);
        }
    }
}
