namespace ContainerTest.TestAdapter.Execution;

using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>Lets many test containers report at once: one call into vstest at a time.</summary>
internal sealed class SynchronizedFrameworkHandle(IFrameworkHandle inner) : IMessageLogger
{
    private readonly object gate = new();

    public void RecordStart(TestCase testCase)
    {
        lock (gate)
        {
            inner.RecordStart(testCase);
        }
    }

    public void RecordResult(TestResult result)
    {
        lock (gate)
        {
            inner.RecordResult(result);
        }
    }

    public void RecordEnd(TestCase testCase, TestOutcome outcome)
    {
        lock (gate)
        {
            inner.RecordEnd(testCase, outcome);
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
