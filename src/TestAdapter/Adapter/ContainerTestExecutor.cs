namespace ContainerTest.TestAdapter;

using System.Runtime.InteropServices;
using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Coverage;
using ContainerTest.TestAdapter.Discovery;
using ContainerTest.TestAdapter.Execution;
using ContainerTest.TestAdapter.Scheduling;
using ContainerTest.TestAdapter.Selection;
using ContainerTest.TestAdapter.Settings;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// Runs every test in a fresh container of its own. While the run is being debugged, or with
/// ContainerTest switched off, the tests run natively through their framework adapter instead.
/// vstest reaches it through the entry assembly's executor (ContainerTest.TestAdapter.dll), which
/// creates it by name in ContainerTest's own load context.
/// </summary>
public sealed class ContainerTestExecutor : ITestExecutor, IDisposable
{
    private readonly CancellationTokenSource cancellation = new();

    /// <inheritdoc />
    public void RunTests(IEnumerable<TestCase>? tests, IRunContext? runContext, IFrameworkHandle? frameworkHandle)
    {
        ArgumentNullException.ThrowIfNull(tests);
        ArgumentNullException.ThrowIfNull(runContext);
        ArgumentNullException.ThrowIfNull(frameworkHandle);
        var testCases = tests.ToList();
        var kind = RunSettingsFacts.IsDesignMode(runContext.RunSettings?.SettingsXml) ? RunKind.TestCasesInIde : RunKind.TestCases;
        Run(testCases.Select(t => t.Source), runContext, frameworkHandle, () => FrameworkSelection.Apply(testCases, kind, runContext.RunSettings?.SettingsXml), native: () => NativeRun.RunTestCases(testCases, runContext, frameworkHandle));
    }

    /// <inheritdoc />
    public void RunTests(IEnumerable<string>? sources, IRunContext? runContext, IFrameworkHandle? frameworkHandle)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(runContext);
        ArgumentNullException.ThrowIfNull(frameworkHandle);
        var sourceList = sources.ToList();
        Run(
            sourceList,
            runContext,
            frameworkHandle,
            () =>
            {
                var sink = new ListDiscoverySink();
                FrameworkDiscovery.Discover(sourceList, runContext, frameworkHandle, sink);
                var kind = TestCaseFilter.IsGiven(runContext) ? RunKind.FilteredSources : RunKind.AllOfSources;
                return FrameworkSelection.Apply(TestCaseFilter.Apply(sink.TestCases, runContext), kind, runContext.RunSettings?.SettingsXml);
            },
            native: () => NativeRun.RunSources(sourceList, runContext, frameworkHandle));
    }

    /// <summary>How long a Ctrl-C'd run may spend removing its containers before the process ends.</summary>
    private static readonly TimeSpan CleanupGrace = TimeSpan.FromSeconds(8);

    /// <inheritdoc />
    public void Cancel() => cancellation.Cancel();

    /// <inheritdoc />
    public void Dispose() => cancellation.Dispose();

    private void OnSignal(PosixSignalContext context)
    {
        // Kept alive to remove the containers; should that take longer than a person waits after
        // Ctrl-C, the process ends anyway, and each container follows it: its agent exits when
        // the test host's end of its stdin closes, and the container is auto-removed.
        context.Cancel = true;
        cancellation.Cancel();
        _ = Task.Delay(CleanupGrace, CancellationToken.None).ContinueWith(_ => Environment.Exit(130), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private void Run(IEnumerable<string> sources, IRunContext runContext, IFrameworkHandle frameworkHandle, Func<IReadOnlyList<TestCase>> testCases, Action native)
    {
        var outputDirectory = sources.Select(s => Path.GetDirectoryName(Path.GetFullPath(s))).FirstOrDefault();
        var runSettingsXml = runContext.RunSettings?.SettingsXml;
        ContainerTestSettings settings;
        try
        {
            settings = SettingsLoader.Load(outputDirectory, runSettingsXml, Environment.GetEnvironmentVariables());
        }
        catch (InvalidSettingException ex)
        {
            frameworkHandle.SendMessage(TestMessageLevel.Error, ex.Message);
            var selected = testCases();
            foreach (var testCase in selected)
            {
                frameworkHandle.RecordResult(new TestResult(testCase) { Outcome = TestOutcome.Failed, ErrorMessage = ex.Message });
            }

            return;
        }

        foreach (var warning in settings.Warnings)
        {
            frameworkHandle.SendMessage(TestMessageLevel.Warning, warning);
        }

        if (runContext.IsBeingDebugged || !settings.Enabled)
        {
            // A warning, so that it shows at every verbosity: the run is not isolated, and the user should know.
            frameworkHandle.SendMessage(
                TestMessageLevel.Warning,
                runContext.IsBeingDebugged
                    ? "ContainerTest: the run is being debugged, so tests run natively in this process, not in containers."
                    : "ContainerTest: switched off (ContainerTest=false or CONTAINERTEST=0), so tests run natively, not in containers.");
            native();
            return;
        }

        var recorder = new DurationRecorder();
        var handle = new SynchronizedFrameworkHandle(frameworkHandle, recorder);
        var attachments = Path.Combine(runContext.TestRunDirectory ?? Path.GetTempPath(), "ContainerTest");
        var run = new ContainerizedRun(settings, runSettingsXml, attachments, handle);
        foreach (var coverageWarning in run.CoverageWarnings)
        {
            frameworkHandle.SendMessage(TestMessageLevel.Warning, coverageWarning);
        }

        // The engine, the host image and the run's reaper get ready while the tests are discovered.
        run.Prepare(cancellation.Token);
        IReadOnlyList<TestCase> selectedTests;
        try
        {
            selectedTests = testCases();
        }
        catch
        {
            Task.Run(() => run.RunAsync([], CancellationToken.None)).GetAwaiter().GetResult(); // lets go of what was prepared
            throw;
        }

        // Ctrl-C in a terminal reaches the test host too, whose default is to die on the spot and
        // leave its containers running. Instead: cancel the run, remove the containers, then end.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        // vstest's ITestExecutor is synchronous: this is the one place where we wait for async work.
        Task.Run(() => HistoryScheduledRun.RunAsync(settings.HistoryFile, selectedTests, handle, recorder, run.RunAsync, cancellation.Token)).GetAwaiter().GetResult();
    }
}
