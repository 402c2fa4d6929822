namespace ContainerTest.Cli.Running;

using System.Diagnostics;
using System.Globalization;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// Receives the results of `dotnet containertest run` (as vstest would) and shows them: on a
/// terminal a live status line (done/total, failures, elapsed) under the failures as they come;
/// elsewhere (CI, a pipe) one plain line per result. <see cref="FailureLimitReached"/> fires when
/// <c>--stop-after</c> failures have been seen.
/// </summary>
internal sealed class RunProgress : IFrameworkHandle, IDisposable
{
    private readonly object gate = new();
    private readonly Stopwatch elapsed = Stopwatch.StartNew();
    private readonly int total;
    private readonly int? stopAfter;
    private readonly bool live = !Console.IsOutputRedirected;
    private readonly Timer? ticker;
    private int done;
    private int passed;
    private int skipped;

    public RunProgress(int total, int? stopAfter)
    {
        this.total = total;
        this.stopAfter = stopAfter;
        if (live)
        {
            ticker = new Timer(_ => Redraw(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        }
    }

    public event EventHandler? FailureLimitReached;

    public int Failed { get; private set; }

    public bool EnableShutdownAfterTestRun { get; set; }

    public void RecordStart(TestCase testCase)
    {
    }

    public void RecordEnd(TestCase testCase, TestOutcome outcome)
    {
        lock (gate)
        {
            done++;
        }

        Redraw();
    }

    public void RecordResult(TestResult testResult)
    {
        ArgumentNullException.ThrowIfNull(testResult);
        var limitReached = false;
        lock (gate)
        {
            var name = testResult.DisplayName is { Length: > 0 } display && display != testResult.TestCase.DisplayName
                ? $"{testResult.TestCase.FullyQualifiedName} ({display})"
                : testResult.TestCase.FullyQualifiedName;
            switch (testResult.Outcome)
            {
                case TestOutcome.Failed:
                    Failed++;
                    limitReached = stopAfter is { } limit && Failed == limit;
                    WriteLine($"FAILED  {name}  [{Seconds(testResult.Duration)}]");
                    foreach (var line in (testResult.ErrorMessage ?? "(no message)").Split('\n').Take(10))
                    {
                        WriteLine("        " + line.TrimEnd());
                    }

                    break;
                case TestOutcome.Passed:
                    passed++;
                    if (!live)
                    {
                        WriteLine($"passed  {name}  [{Seconds(testResult.Duration)}]");
                    }

                    break;
                default:
                    skipped++;
                    if (!live)
                    {
                        WriteLine($"{testResult.Outcome.ToString().ToLowerInvariant(),-7} {name}");
                    }

                    break;
            }
        }

        if (limitReached)
        {
            FailureLimitReached?.Invoke(this, EventArgs.Empty);
        }
    }

    public void RecordAttachments(IList<AttachmentSet> attachmentSets)
    {
    }

    public int LaunchProcessWithDebuggerAttached(string filePath, string? workingDirectory, string? arguments, IDictionary<string, string?>? environmentVariables) =>
        throw new NotSupportedException("dotnet containertest run does not debug tests; run them natively with CONTAINERTEST=0 dotnet test.");

    public void SendMessage(TestMessageLevel testMessageLevel, string message)
    {
        if (testMessageLevel != TestMessageLevel.Informational)
        {
            lock (gate)
            {
                WriteLine(message);
            }
        }
    }

    /// <summary>The summary line, after the status line is cleared.</summary>
    public string Summary(bool stopped)
    {
        lock (gate)
        {
            ClearStatus();
            // A test cancelled by --stop-after after reporting its result has no end record: count it done.
            var notRun = Math.Max(0, total - Math.Max(done, passed + Failed + skipped));
            return $"{(Failed > 0 ? "Failed" : stopped ? "Stopped" : "Passed")}: {passed} passed, {Failed} failed, {skipped} skipped{(notRun > 0 ? $", {notRun} not run" : string.Empty)} of {total} in {Seconds(elapsed.Elapsed)}"
                + (stopped ? $" (stopped: --stop-after {stopAfter} reached)." : ".");
        }
    }

    public void Dispose() => ticker?.Dispose();

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private void Redraw()
    {
        if (!live)
        {
            return;
        }

        lock (gate)
        {
            Console.Out.Write($"\r\u001b[K[{done}/{total}] {Failed} failed  {Seconds(elapsed.Elapsed)}");
            Console.Out.Flush();
        }
    }

    private void WriteLine(string line)
    {
        ClearStatus();
        Console.Out.WriteLine(line);
    }

    private void ClearStatus()
    {
        if (live)
        {
            Console.Out.Write("\r\u001b[K");
        }
    }
}
