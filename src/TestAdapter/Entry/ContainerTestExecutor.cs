namespace ContainerTest.TestAdapter.Entry;

using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// The executor vstest finds: hands the run to ContainerTest's adapter in its own load context,
/// which runs every test in a fresh sandbox or container of its own.
/// </summary>
[ExtensionUri(ExecutorUri)]
public sealed class ContainerTestExecutor : ITestExecutor, IDisposable
{
    /// <summary>ContainerTest's executor URI (the one the adapter gives every test it discovers).</summary>
    public const string ExecutorUri = "executor://containertest/v1";

    /// <summary>The adapter's executor type.</summary>
    private const string ExecutorType = "ContainerTest.TestAdapter.ContainerTestExecutor";

    private readonly object gate = new();
    private ITestExecutor? executor;
    private bool cancelled;

    /// <inheritdoc />
    public void RunTests(IEnumerable<TestCase>? tests, IRunContext? runContext, IFrameworkHandle? frameworkHandle)
    {
        ArgumentNullException.ThrowIfNull(frameworkHandle);
        if (Executor(frameworkHandle) is { } ready)
        {
            ready.RunTests(tests, runContext, frameworkHandle);
        }
        else
        {
            foreach (var testCase in tests ?? [])
            {
                frameworkHandle.RecordResult(new TestResult(testCase) { Outcome = TestOutcome.Failed, ErrorMessage = "ContainerTest could not load its adapter; see the run's error message." });
            }
        }
    }

    /// <inheritdoc />
    public void RunTests(IEnumerable<string>? sources, IRunContext? runContext, IFrameworkHandle? frameworkHandle)
    {
        ArgumentNullException.ThrowIfNull(frameworkHandle);
        Executor(frameworkHandle)?.RunTests(sources, runContext, frameworkHandle);
    }

    /// <inheritdoc />
    public void Cancel()
    {
        ITestExecutor? ready;
        lock (gate)
        {
            cancelled = true;
            ready = executor;
        }

        ready?.Cancel();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ITestExecutor? ready;
        lock (gate)
        {
            ready = executor;
        }

        (ready as IDisposable)?.Dispose();
    }

    /// <summary>The adapter's executor, made on first use; null (after saying why) when it cannot be loaded.</summary>
    private ITestExecutor? Executor(IMessageLogger logger)
    {
        lock (gate)
        {
            if (executor is null)
            {
                try
                {
                    executor = PrivateAdapter.Create<ITestExecutor>(ExecutorType);
                }
                catch (PrivateAdapterException ex)
                {
                    logger.SendMessage(TestMessageLevel.Error, ex.Message);
                    return null;
                }

                if (cancelled)
                {
                    executor.Cancel();
                }
            }

            return executor;
        }
    }
}
