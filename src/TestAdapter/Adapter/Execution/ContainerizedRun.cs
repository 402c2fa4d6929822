namespace ContainerTest.TestAdapter.Execution;

using System.Text.Json.Nodes;
using ContainerTest.ContainerRuntime;
using ContainerTest.ContainerRuntime.Composition;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Services;
using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Coverage;
using ContainerTest.TestAdapter.RuntimeLayer;
using ContainerTest.TestAdapter.Settings;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// Runs test cases, each in a fresh container of its own, several at once, and reports every
/// result as it arrives. Whatever goes wrong — the engine, the image, a crashing test — every
/// test still gets a result.
/// </summary>
internal sealed class ContainerizedRun(ContainerTestSettings settings, string? runSettingsXml, string attachmentRoot, SynchronizedFrameworkHandle handle)
{
    private readonly MicrosoftCodeCoverage? microsoftCoverage = MicrosoftCodeCoverage.Find(runSettingsXml, MicrosoftCodeCoverage.DataPrefix(Environment.GetEnvironmentVariable));

    /// <summary>Why coverage could not be merged, each said once a run (the same cause fails every test alike).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> coverageFailures = new(StringComparer.Ordinal);
    private string? image;
    private volatile bool anyFailed;
    private Task<Prepared>? preparing;

    /// <summary>What the run says up front about a coverage collector that cannot measure its jobs.</summary>
    public IEnumerable<string> CoverageWarnings => microsoftCoverage?.Warnings ?? [];

    /// <summary>
    /// Starts what a run needs before its first test, while the test host discovers the tests:
    /// the engine's connection, the sweep of what killed runs left, the host image and the run's
    /// reaper, all of which the first test waits for. <see cref="RunAsync"/> takes it from there,
    /// or makes it then when this was not called.
    /// </summary>
    public void Prepare(CancellationToken cancellationToken) => preparing ??= Task.Run(() => PrepareAsync(cancellationToken), CancellationToken.None);

    public async Task RunAsync(IReadOnlyList<TestCase> testCases, CancellationToken cancellationToken)
    {
        var (runtime, image, failure) = await (preparing ??= PrepareAsync(cancellationToken)).ConfigureAwait(false);
        if (runtime is null || image is null || testCases.Count == 0)
        {
            if (runtime is not null)
            {
                await runtime.DisposeAsync().ConfigureAwait(false);
            }

            if (failure is not null && testCases.Count > 0)
            {
                FailAll(testCases, failure);
            }

            return;
        }

        await using (runtime.ConfigureAwait(false))
        {
            if (DockerAccess.Notice(settings) is { } notice)
            {
                handle.SendMessage(TestMessageLevel.Warning, notice);
            }

            foreach (var folder in testCases.Select(t => Path.GetDirectoryName(Path.GetFullPath(t.Source))!).Distinct(StringComparer.Ordinal))
            {
                if (UnenterableOutputFolder.Warning(folder, settings.User) is { } closed)
                {
                    handle.SendMessage(TestMessageLevel.Warning, closed);
                }
            }

            IRunServices? services = null;
            if (settings.Services.Count > 0)
            {
                try
                {
                    services = await runtime.StartServicesAsync(settings.Services, cancellationToken).ConfigureAwait(false);
                    handle.SendMessage(TestMessageLevel.Informational, $"ContainerTest: shared services ready: {string.Join(", ", settings.Services.Select(s => $"{s.Name} ({s.Image}{string.Concat(s.Ports.Select(p => $", {s.Name}:{p}"))})"))}.");
                }
                catch (ContainerRuntimeException ex)
                {
                    FailAll(testCases, $"ContainerTest: the run's shared services could not be started, so no test ran: {ex.Message}");
                    return;
                }
            }

            try
            {
                await RunTestsAsync(runtime, image, services, testCases, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (services is not null)
                {
                    await services.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The engine, connected and swept, the image to run on and the reaper started; or why not (the runtime null or disposed by the caller).</summary>
    private async Task<Prepared> PrepareAsync(CancellationToken cancellationToken)
    {
        JobRuntime runtime;
        try
        {
            runtime = await JobRuntime.ConnectAsync(
                new JobRuntimeOptions { Backend = settings.Backend, Kernel = settings.Kernel, Isolation = settings.Isolation, Cluster = settings.Cluster, Registry = settings.Registry, OnNotice = notice => handle.SendMessage(TestMessageLevel.Warning, notice) },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerRuntimeException ex)
        {
            return new Prepared(null, null, ex.Message);
        }

        try
        {
            if (await runtime.RemoveOrphansAsync(cancellationToken).ConfigureAwait(false) is > 0 and var orphans)
            {
                handle.SendMessage(TestMessageLevel.Informational, $"ContainerTest: removed {orphans} container(s) left behind by an earlier run that was killed.");
            }

            var image = settings.Image ?? await runtime.EnsureHostImageAsync(cancellationToken).ConfigureAwait(false);
            runtime.StartReaper(image);
            return new Prepared(runtime, image, null);
        }
        catch (ContainerRuntimeException ex)
        {
            return new Prepared(runtime, null, ex.Message);
        }
        catch (OperationCanceledException)
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The tests, on <paramref name="image"/>, with the run's services (when it has any) let through their network.</summary>
    private async Task RunTestsAsync(JobRuntime runtime, string image, IRunServices? services, IReadOnlyList<TestCase> testCases, CancellationToken cancellationToken)
    {
        var jobSettings = services is null ? settings : settings with { Network = ServiceNetwork.With(settings.Network, services.Endpoints) };
        var jobs = new TestJobBuilder(jobSettings, image, runSettingsXml, microsoftCoverage?.Buffers ?? []);
        this.image = image;
        if (settings.Image is not null)
        {
            testCases = await ProvideRuntimesAsync(runtime.Jobs, runtime.RunId, jobs, image, testCases, cancellationToken).ConfigureAwait(false);
        }

        (var pools, testCases) = await CreatePoolsAsync(runtime, jobs, testCases, cancellationToken).ConfigureAwait(false);
        try
        {
            if (pools.Count > 0)
            {
                handle.SendMessage(
                    TestMessageLevel.Informational,
                    $"ContainerTest: running {testCases.Count} test(s), each in its own {pools.Values.First().InstanceKind} (image {image}, {settings.Parallelism} at a time, network {DockerAccess.Network(jobSettings)}{(settings.DockerAccess ? ", with access to the Docker Engine" : string.Empty)}).");
            }

            using var slots = new SemaphoreSlim(settings.Parallelism);
            var running = testCases.Select(async testCase =>
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await RunOneAsync(jobs, pools[PoolKey(testCase)], testCase, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            }).ToList();

            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            handle.SendMessage(TestMessageLevel.Warning, "ContainerTest: the run was cancelled; its containers were removed.");
        }
        finally
        {
            // Containers and sandboxes made for tests that never ran (cancelled) are removed here.
            await Task.WhenAll(pools.Values.Select(p => p.DisposeAsync().AsTask())).ConfigureAwait(false);
            if (anyFailed && services is not null)
            {
                await ServiceLogs.KeepAsync(services, Path.Combine(attachmentRoot, "services"), handle).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One pool per test assembly and framework (their tests share one job template). A pool that
    /// cannot be made (its image is missing…) fails its tests with the reason; the tests still to
    /// run are returned beside the pools, in their order.
    /// </summary>
    private async Task<(Dictionary<(string, string?), IJobPool> Pools, IReadOnlyList<TestCase> Runnable)> CreatePoolsAsync(JobRuntime runtime, TestJobBuilder jobs, IReadOnlyList<TestCase> testCases, CancellationToken cancellationToken)
    {
        var pools = new Dictionary<(string, string?), IJobPool>();
        // Sandbox workers keep none spare by default: each already readies its next sandbox and agent
        // while its test runs, and spare workers cost more than they gave (bench/run.sh, 2 cores:
        // 200 trivial tests 25.2 s and 0.226 CPU-s each with four spare, 22.5 s and 0.199 without;
        // the first result 1.7 s and 1.8 s). A container per test and a VM per test keep theirs.
        var depth = settings.PoolDepth ?? (settings.Backend == RuntimeBackend.Docker && runtime.Isolation == JobIsolation.Sandbox ? 0 : settings.Parallelism);
        var failed = new HashSet<Guid>();
        try
        {
            foreach (var group in testCases.GroupBy(PoolKey))
            {
                var tests = group.ToList();
                try
                {
                    var template = jobs.Template(tests[0], runtime.RunId);
                    pools[group.Key] = await runtime.CreatePoolAsync(template, new JobPoolOptions(tests.Count, settings.Parallelism, depth), cancellationToken).ConfigureAwait(false);
                }
                catch (ContainerRuntimeException ex)
                {
                    FailAll(tests, ex.Message);
                    failed.UnionWith(tests.Select(t => t.Id));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    FailAll(tests, OwnError(ex));
                    failed.UnionWith(tests.Select(t => t.Id));
                }
            }
        }
        catch (OperationCanceledException)
        {
            await Task.WhenAll(pools.Values.Select(p => p.DisposeAsync().AsTask())).ConfigureAwait(false);
            throw;
        }

        return (pools, failed.Count == 0 ? testCases : testCases.Where(t => !failed.Contains(t.Id)).ToList());
    }

    private static (string Source, string? Executor) PoolKey(TestCase testCase) =>
        (Path.GetFullPath(testCase.Source), TestCaseTags.FrameworkExecutorOf(testCase));

    /// <summary>
    /// A configured image may lack the .NET runtime the tests need: then each test assembly gets
    /// it as a layer (see RuntimeProvisioner). Returns the tests that can run; the others are
    /// reported failed with the reason.
    /// </summary>
    private async Task<IReadOnlyList<TestCase>> ProvideRuntimesAsync(IJobBackend backend, string runId, TestJobBuilder jobs, string image, IReadOnlyList<TestCase> testCases, CancellationToken cancellationToken)
    {
        var provisioner = new RuntimeProvisioner(backend, runId, jobs, image, handle);
        var runnable = new List<TestCase>(testCases.Count);
        foreach (var source in testCases.GroupBy(t => t.Source, StringComparer.Ordinal))
        {
            try
            {
                jobs.UseRuntime(source.Key, await provisioner.ProvideAsync(source.Key, cancellationToken).ConfigureAwait(false));
                runnable.AddRange(source);
            }
            catch (ContainerRuntimeException ex)
            {
                // The engine or the image itself (not found, registry unreachable): said as it is.
                FailAll(source, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var cause = ex is RuntimeLayerException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
                FailAll(source, $"The image '{image}' has no .NET runtime that can run {Path.GetFileName(source.Key)} (it needs {RuntimeRequirement.Describe(source.Key)}), and ContainerTest could not add one as a layer: {cause} "
                    + "Set ContainerTestImage to an image with that runtime (for example mcr.microsoft.com/dotnet/runtime), or leave it unset to use the host image built from this machine's .NET.");
            }
        }

        return runnable;
    }

    private async Task RunOneAsync(TestJobBuilder jobs, IJobPool pool, TestCase testCase, CancellationToken cancellationToken)
    {
        var (input, nonce) = jobs.Request(testCase);
        string? instanceId = null;
        var outcome = TestOutcome.None; // the end's outcome: the worst of the test's results (data rows may be several)
        var agentLog = new List<string>();
        var reader = new AgentOutputReader(
            nonce,
            started: id =>
            {
                instanceId = id;
                handle.RecordStart(testCase);
            },
            message: (message, output, error) =>
            {
                if (OnAgentMessage(testCase, message, pool.InstanceKind, instanceId, agentLog, output, error) is { } resultOutcome)
                {
                    outcome = Worse(outcome, resultOutcome);
                }
            });

        JobResult job;
        try
        {
            job = await pool.RunAsync(input, reader, cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerRuntimeException ex)
        {
            EndLost(testCase, reader, outcome, ex.Message);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            EndLost(testCase, reader, outcome, OwnError(ex));
            return;
        }

        reader.Flush();
        if (job.Termination == TerminationReason.Cancelled)
        {
            return;
        }

        var verdict = TestCaseEnding.Judge(testCase, job, reader, agentLog, settings, image ?? string.Empty);
        if (verdict.Warning is { } warning)
        {
            handle.SendMessage(TestMessageLevel.Warning, warning);
        }

        if (verdict.Result is { } failure)
        {
            handle.RecordResult(failure);
            outcome = TestOutcome.Failed;
        }

        if (outcome == TestOutcome.Failed)
        {
            anyFailed = true;
        }

        handle.RecordEnd(testCase, outcome == TestOutcome.None ? TestOutcome.Passed : outcome);
    }

    /// <summary>
    /// Ends a test case whose job was lost (the engine or a worker failed under it): results the
    /// framework already reported stand — the loss is a warning when it had ended the test case,
    /// one Failed result naming the reported rows when it had not.
    /// </summary>
    private void EndLost(TestCase testCase, AgentOutputReader reader, TestOutcome outcome, string reason)
    {
        reader.Flush();
        if (reader.ResultCount == 0)
        {
            Fail(testCase, reason);
            return;
        }

        if (reader.Ended || reader.Done)
        {
            handle.SendMessage(TestMessageLevel.Warning, $"ContainerTest: {testCase.DisplayName} reported its result(s), and then its job was lost: {reason} The reported result(s) stand.");
            handle.RecordEnd(testCase, outcome == TestOutcome.None ? TestOutcome.Passed : outcome);
            return;
        }

        handle.RecordResult(new TestResult(TestCaseTags.FrameworkView(testCase))
        {
            Outcome = TestOutcome.Failed,
            ErrorMessage = $"{reason} {TestCaseEnding.ReportedRows(testCase, reader)}",
            ComputerName = Environment.MachineName,
        });
        handle.RecordEnd(testCase, TestOutcome.Failed);
    }

    private static TestOutcome Worse(TestOutcome current, TestOutcome next) =>
        current == TestOutcome.Failed || next == TestOutcome.Failed ? TestOutcome.Failed
        : current == TestOutcome.None ? next
        : current == TestOutcome.Passed ? next
        : current;

    /// <summary>Reports one protocol message of the agent; for a result, returns its outcome.</summary>
    private TestOutcome? OnAgentMessage(TestCase testCase, JsonObject message, string instanceKind, string? instanceId, List<string> agentLog, string output, string error)
    {
        switch (AgentMessages.KindOf(message))
        {
            case AgentMessages.ResultKind:
                var directory = Path.Combine(attachmentRoot, ContainerFailure.ShortId(instanceId));
                var result = AgentMessages.ReadResult(message, testCase, directory);
                result.ComputerName = ContainerFailure.ShortId(instanceId);
                if (ConsoleCapture.TakenFromContainer(TestCaseTags.FrameworkExecutorOf(testCase)))
                {
                    AddConsoleOutput(result, output, error);
                }

                result.Messages.Add(ContainerFailure.Note(instanceKind, instanceId));
                ImageGaps.Explain(result, settings.Image);
                handle.RecordResult(result);
                return result.Outcome;
            case CoverletHits.Kind:
                MergeCoverage(testCase, message);
                break;
            case MicrosoftCoverageProbes.Kind:
                MergeMicrosoftCoverage(testCase, message);
                break;
            case AgentMessages.LogKind:
                var text = message["text"]?.GetValue<string>() ?? string.Empty;
                var level = (TestMessageLevel)(message["level"]?.GetValue<int>() ?? 0);
                if (level == TestMessageLevel.Error)
                {
                    agentLog.Add(text);
                }

                handle.SendMessage(level, text);
                break;
        }

        return null;
    }

    /// <summary>coverlet's counts from the test's container, added to the hits file its collector reads on the host.</summary>
    private void MergeCoverage(TestCase testCase, JsonObject message)
    {
        try
        {
            CoverletHitsFile.Merge(CoverletHits.FromMessage(message), Path.GetDirectoryName(Path.GetFullPath(testCase.Source)));
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or FormatException)
        {
            WarnOnceOfCoverage(testCase, "coverlet's report", ex.Message);
        }
    }

    /// <summary>The probes Microsoft's instrumentation marked in the test's job, set in its collector's buffers on the host.</summary>
    private void MergeMicrosoftCoverage(TestCase testCase, JsonObject message)
    {
        try
        {
            if (microsoftCoverage?.Merge(MicrosoftCoverageProbes.FromMessage(message)) is { } warning)
            {
                handle.SendMessage(TestMessageLevel.Warning, warning);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or FormatException)
        {
            WarnOnceOfCoverage(testCase, "the Code Coverage collector's report", ex.Message);
        }
    }

    /// <summary>Says that a test's coverage could not reach <paramref name="report"/>, once a run for each report and <paramref name="reason"/>.</summary>
    private void WarnOnceOfCoverage(TestCase testCase, string report, string reason)
    {
        if (coverageFailures.TryAdd(report + "\n" + reason, 0))
        {
            handle.SendMessage(TestMessageLevel.Warning, $"ContainerTest: the coverage {testCase.FullyQualifiedName} recorded in its container could not be added to {report} (said once a run): {reason}");
        }
    }

    private static void AddConsoleOutput(TestResult result, string output, string error)
    {
        if (output.Length > 0 && !result.Messages.Any(m => m.Category == TestResultMessage.StandardOutCategory))
        {
            result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, output));
        }

        if (error.Length > 0 && !result.Messages.Any(m => m.Category == TestResultMessage.StandardErrorCategory))
        {
            result.Messages.Add(new TestResultMessage(TestResultMessage.StandardErrorCategory, error));
        }
    }

    /// <summary>What a test is told when ContainerTest itself failed: the error, in a sentence, never a stack trace.</summary>
    private static string OwnError(Exception ex) =>
        $"ContainerTest could not run this test because of an error of its own ({ex.GetType().Name}: {ex.Message}). Please report it; `ContainerTestIsolation=container` or `CONTAINERTEST=0` may get the run through meanwhile.";

    private void FailAll(IEnumerable<TestCase> testCases, string reason)
    {
        handle.SendMessage(TestMessageLevel.Error, reason);
        foreach (var testCase in testCases)
        {
            Fail(testCase, reason);
        }
    }

    private void Fail(TestCase testCase, string reason)
    {
        handle.RecordResult(new TestResult(TestCaseTags.FrameworkView(testCase)) { Outcome = TestOutcome.Failed, ErrorMessage = reason, ComputerName = Environment.MachineName });
        handle.RecordEnd(testCase, TestOutcome.Failed);
    }

    /// <summary>What <see cref="PrepareAsync"/> made: the runtime (null when the engine could not be reached), the image, or why the tests cannot run.</summary>
    private sealed record Prepared(JobRuntime? Runtime, string? Image, string? Failure);
}
