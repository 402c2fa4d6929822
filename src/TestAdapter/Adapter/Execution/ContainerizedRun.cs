namespace ContainerTest.TestAdapter.Execution;

using System.Text.Json.Nodes;
using ContainerTest.ContainerRuntime.Docker;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.Protocol;
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
    private string? image;

    public async Task RunAsync(IReadOnlyList<TestCase> testCases, CancellationToken cancellationToken)
    {
        if (testCases.Count == 0)
        {
            return;
        }

        DockerBackend backend;
        string image;
        try
        {
            backend = await DockerBackend.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerRuntimeException ex)
        {
            FailAll(testCases, ex.Message);
            return;
        }

        await using (backend.ConfigureAwait(false))
        {
            try
            {
                if (await backend.RemoveOrphansAsync(cancellationToken).ConfigureAwait(false) is > 0 and var orphans)
                {
                    handle.SendMessage(TestMessageLevel.Informational, $"ContainerTest: removed {orphans} container(s) left behind by an earlier run that was killed.");
                }

                image = settings.Image ?? await backend.EnsureHostImageAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ContainerRuntimeException ex)
            {
                FailAll(testCases, ex.Message);
                return;
            }

            handle.SendMessage(
                TestMessageLevel.Informational,
                $"ContainerTest: running {testCases.Count} test(s), each in its own container (image {image}, {settings.Parallelism} at a time, {settings.PoolDepth ?? settings.Parallelism} started ahead, network {settings.Network}).");
            var jobs = new TestJobBuilder(settings, image, runSettingsXml);
            this.image = image;
            if (settings.Image is not null)
            {
                testCases = await ProvideRuntimesAsync(backend, jobs, image, testCases, cancellationToken).ConfigureAwait(false);
            }

            (var pools, testCases) = await WarmPoolsAsync(backend, jobs, testCases, cancellationToken).ConfigureAwait(false);
            try
            {
                using var slots = new SemaphoreSlim(settings.Parallelism);
                var running = testCases.Select(async testCase =>
                {
                    await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        await RunOneAsync(backend, jobs, pools.GetValueOrDefault(PoolKey(testCase)), testCase, cancellationToken).ConfigureAwait(false);
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
                // Containers started for tests that never ran (cancelled) are removed here.
                await Task.WhenAll(pools.Values.Select(p => p.DisposeAsync().AsTask())).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One warm pool per test assembly and framework (their tests share one container template),
    /// unless the pool is off or the network policy leases a network per test. A pool that cannot
    /// be made (its image is missing…) fails its tests with the reason; the tests still to run are
    /// returned beside the pools, in their order.
    /// </summary>
    private async Task<(Dictionary<(string, string?), WarmJobPool> Pools, IReadOnlyList<TestCase> Runnable)> WarmPoolsAsync(DockerBackend backend, TestJobBuilder jobs, IReadOnlyList<TestCase> testCases, CancellationToken cancellationToken)
    {
        var pools = new Dictionary<(string, string?), WarmJobPool>();
        var depth = settings.PoolDepth ?? settings.Parallelism;
        if (depth == 0 || settings.Network is AllowListNetworkPolicy)
        {
            return (pools, testCases);
        }

        var failed = new HashSet<Guid>();
        try
        {
            foreach (var group in testCases.GroupBy(PoolKey))
            {
                var tests = group.ToList();
                try
                {
                    var template = jobs.Template(tests[0], backend.RunId);
                    pools[group.Key] = await backend.CreatePoolAsync(template, Math.Min(depth, tests.Count), tests.Count, cancellationToken).ConfigureAwait(false);
                }
                catch (ContainerRuntimeException ex)
                {
                    FailAll(tests, ex.Message);
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
    private async Task<IReadOnlyList<TestCase>> ProvideRuntimesAsync(DockerBackend backend, TestJobBuilder jobs, string image, IReadOnlyList<TestCase> testCases, CancellationToken cancellationToken)
    {
        var provisioner = new RuntimeProvisioner(backend, jobs, image, handle);
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

    private async Task RunOneAsync(DockerBackend backend, TestJobBuilder jobs, WarmJobPool? pool, TestCase testCase, CancellationToken cancellationToken)
    {
        JobSpec? spec = null;
        string nonce;
        byte[]? input = null;
        if (pool is null)
        {
            (spec, nonce) = jobs.Build(testCase, backend.RunId);
        }
        else
        {
            (input, nonce) = jobs.Request(testCase);
        }

        string? containerId = null;
        var outcome = TestOutcome.None; // the end's outcome: the worst of the test's results (data rows may be several)
        var agentLog = new List<string>();
        var reader = new AgentOutputReader(
            nonce,
            started: id =>
            {
                containerId = id;
                handle.RecordStart(testCase);
            },
            message: (message, output, error) =>
            {
                if (OnAgentMessage(testCase, message, containerId, agentLog, output, error) is { } resultOutcome)
                {
                    outcome = Worse(outcome, resultOutcome);
                }
            });

        JobResult job;
        try
        {
            job = pool is null
                ? await backend.RunAsync(spec!, reader, cancellationToken).ConfigureAwait(false)
                : await pool.RunAsync(input, reader, cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerRuntimeException ex)
        {
            Fail(testCase, ex.Message);
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

        handle.RecordEnd(testCase, outcome == TestOutcome.None ? TestOutcome.Passed : outcome);
    }

    private static TestOutcome Worse(TestOutcome current, TestOutcome next) =>
        current == TestOutcome.Failed || next == TestOutcome.Failed ? TestOutcome.Failed
        : current == TestOutcome.None ? next
        : current == TestOutcome.Passed ? next
        : current;

    /// <summary>Reports one protocol message of the agent; for a result, returns its outcome.</summary>
    private TestOutcome? OnAgentMessage(TestCase testCase, JsonObject message, string? containerId, List<string> agentLog, string output, string error)
    {
        switch (AgentMessages.KindOf(message))
        {
            case AgentMessages.ResultKind:
                var directory = Path.Combine(attachmentRoot, ContainerFailure.ShortId(containerId));
                var result = AgentMessages.ReadResult(message, testCase, directory);
                result.ComputerName = ContainerFailure.ShortId(containerId);
                if (ConsoleCapture.TakenFromContainer(TestCaseTags.FrameworkExecutorOf(testCase)))
                {
                    AddConsoleOutput(result, output, error);
                }

                result.Messages.Add(ContainerFailure.ContainerNote(containerId));
                ImageGaps.Explain(result, settings.Image);
                handle.RecordResult(result);
                return result.Outcome;
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
        handle.RecordResult(new TestResult(testCase) { Outcome = TestOutcome.Failed, ErrorMessage = reason, ComputerName = Environment.MachineName });
        handle.RecordEnd(testCase, TestOutcome.Failed);
    }
}
