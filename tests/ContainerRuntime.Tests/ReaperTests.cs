namespace ContainerTest.ContainerRuntime.Tests;

using System.Globalization;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Tests.Fixtures;
using ContainerTest.Tests.Engine;
using global::Docker.DotNet.Models;

/// <summary>
/// A run killed outright (SIGKILL: none of its code runs any more) at any instant leaves nothing
/// on the engine: its reaper removes every container, network and volume of the run within 15 s —
/// containers created and never started included — in sandbox mode (workers) and container mode
/// (a container per job), while another run beside it goes on untouched.
/// </summary>
[TestClass]
public sealed class ReaperTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task A_run_killed_at_any_instant_leaves_nothing_and_the_run_beside_it_goes_on(string isolation)
    {
        var work = isolation == "sandbox" ? ContainerLabels.WorkerKind : ContainerLabels.JobKind;
        // Instants that mean the same in both modes are split between them (the suite's time); the
        // pool's own creates and starts, where never-started containers are caught, are taken in both.
        var sandbox = isolation == "sandbox";
        Instant[] instants =
        [
            sandbox ? new("as soon as it connected", Line: "run ") : new("when its reaper had started", Action: "start", Kind: "reaper"),
            .. sandbox ? [new Instant("when its reaper was created (only a peer's reaper can remove it)", Action: "create", Kind: "reaper")] : Array.Empty<Instant>(),
            new("between the pool's first container's create and its start", Kind: work, BeforeStart: true),
            new("when the pool created its third container", Action: "create", Kind: work, Count: 3),
            new("when the pool's second container had started", Action: "start", Kind: work, Count: 2),
            sandbox ? new("in the middle of the run", Line: "job ", Count: 5) : new("when the first result was read", Line: "job "),
            sandbox ? new("later in the run", Line: "job ", Count: 9) : new("while a job's container is removed", Action: "destroy", Kind: work, Count: 2),
        ];

        using var neighbour = ProbeRun.Start(isolation, "neighbour-" + Guid.NewGuid().ToString("N")[..8]);
        var neighbourRun = await neighbour.RunIdAsync();
        await WaitForAsync(() => neighbour.JobsDone >= 2, TimeSpan.FromSeconds(90), () => "the run beside it did not get going: " + neighbour.Output);
        var neighbourReaper = (await ReapersOfAsync(neighbourRun)).Single();
        var neighbourJobs = neighbour.JobsDone;

        var report = new List<string>();
        foreach (var instant in instants)
        {
            var (killedAt, left, took) = await KillAtAsync(isolation, instant);
            report.Add($"{instant.Name}: {(left.Count == 0 ? "nothing" : string.Join(", ", left))} at the kill, gone after {took.TotalSeconds:0.0} s");
            if (instant.BeforeStart)
            {
                Assert.IsTrue(left.Any(l => l.EndsWith($" created {work}", StringComparison.Ordinal)), $"{instant.Name}: the run had no container created and not yet started at the kill: " + string.Join('\n', report));
            }

            Assert.IsTrue(neighbour.IsAlive, $"the run beside it died {instant.Name}: {neighbour.Output}");
        }

        Console.WriteLine(string.Join('\n', report));

        // The run beside it lost nothing: the same reaper, and its jobs still run.
        Assert.AreEqual(neighbourReaper, (await ReapersOfAsync(neighbourRun)).SingleOrDefault(), "the reaper of the run beside it was touched");
        await WaitForAsync(() => neighbour.JobsDone >= neighbourJobs + 3, TimeSpan.FromSeconds(60), () => "the run beside it stopped running jobs: " + neighbour.Output);
        Assert.IsFalse(neighbour.Output.Contains(" FailedToStart", StringComparison.Ordinal) || neighbour.Output.Contains("WorkerLost", StringComparison.Ordinal), neighbour.Output);

        // And it too leaves nothing when it is killed.
        neighbour.Kill();
        await RunResources.WaitUntilGoneAsync(neighbourRun, DateTimeOffset.UtcNow, Limit, "the run beside it");

        // The next run starts clean and ends normally.
        using var next = ProbeRun.Start(isolation, "next-" + Guid.NewGuid().ToString("N")[..8], jobs: 3);
        Assert.AreEqual(0, await next.WaitForExitAsync(TimeSpan.FromSeconds(120)), next.Output);
        StringAssert.Contains(next.Output, "done");
        Assert.IsFalse(next.Output.Contains("notice", StringComparison.Ordinal), next.Output);
    }

    [TestMethod]
    public async Task A_run_that_ends_normally_takes_its_reaper_with_it()
    {
        using var probe = ProbeRun.Start("sandbox", "normal-" + Guid.NewGuid().ToString("N")[..8], jobs: 2);
        var runId = await probe.RunIdAsync();
        Assert.AreEqual(0, await probe.WaitForExitAsync(TimeSpan.FromSeconds(120)), probe.Output);
        var ended = DateTimeOffset.UtcNow;

        // It had a reaper (the probe never saw a notice that it could not start one)…
        Assert.IsFalse(probe.Output.Contains("notice", StringComparison.Ordinal), probe.Output);

        // …which sweeps once more and goes, well before the 4 s it waits after a run that died.
        var took = await RunResources.WaitUntilGoneAsync(runId, ended, TimeSpan.FromSeconds(4), "after a normal end");
        Console.WriteLine($"the reaper was gone {took.TotalSeconds:0.0} s after the run ended");
    }

    [TestMethod]
    public async Task A_reaper_its_run_never_started_is_removed_by_the_next_run()
    {
        // What a run killed between creating its reaper and starting it leaves: that container alone.
        var runId = "stranded-" + Guid.NewGuid().ToString("N")[..8];
        var created = await TestEngine.Inspector.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Image = TestEngine.ToolboxImage,
                Cmd = ["true"],
                Labels = new Dictionary<string, string>
                {
                    [ContainerLabels.Managed] = "true",
                    [ContainerLabels.RunId] = runId,
                    [ContainerLabels.Kind] = "reaper",
                    [ContainerLabels.OwnerHost] = Environment.MachineName,
                },
            },
            CancellationToken.None);
        try
        {
            // A live run's reaper may take it as soon as it looks stranded; else the next run's sweep.
            await Task.Delay(TimeSpan.FromSeconds(7));
            await using var backend = await DockerBackend.ConnectAsync();
            await backend.RemoveOrphansAsync();
            Assert.AreEqual(0, (await RunResources.ListAsync(runId)).Count, "the stranded reaper is still there");
        }
        finally
        {
            try
            {
                await TestEngine.Inspector.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
            }
            catch (global::Docker.DotNet.DockerContainerNotFoundException)
            {
            }
        }
    }

    [TestMethod]
    public async Task A_reaper_its_run_never_started_is_removed_by_a_live_run_within_15_seconds()
    {
        using var live = ProbeRun.Start("sandbox", "live-" + Guid.NewGuid().ToString("N")[..8]);
        await WaitForAsync(() => live.JobsDone >= 1, TimeSpan.FromSeconds(90), () => "the live run did not get going: " + live.Output);

        var runId = "stranded-" + Guid.NewGuid().ToString("N")[..8];
        var created = await TestEngine.Inspector.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Image = TestEngine.ToolboxImage,
                Cmd = ["true"],
                Labels = new Dictionary<string, string>
                {
                    [ContainerLabels.Managed] = "true",
                    [ContainerLabels.RunId] = runId,
                    [ContainerLabels.Kind] = "reaper",
                },
            },
            CancellationToken.None);
        try
        {
            var took = await RunResources.WaitUntilGoneAsync(runId, DateTimeOffset.UtcNow, Limit, "a stranded reaper beside a live run");
            Console.WriteLine($"removed by the live run's reaper after {took.TotalSeconds:0.0} s");
        }
        finally
        {
            try
            {
                await TestEngine.Inspector.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
            }
            catch (global::Docker.DotNet.DockerContainerNotFoundException)
            {
            }
        }
    }

    /// <summary>Starts a probe, kills it at <paramref name="instant"/>, and waits until nothing of its run is left.</summary>
    private static async Task<(DateTimeOffset KilledAt, IReadOnlyList<string> LeftAtKill, TimeSpan Took)> KillAtAsync(string isolation, Instant instant)
    {
        var killed = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        ProbeRun? started = null;
        bool Observe(bool matches)
        {
            if (matches && Interlocked.Increment(ref seen) == instant.Count)
            {
                started!.Kill();
                killed.TrySetResult(DateTimeOffset.UtcNow);
                return true;
            }

            return false;
        }

        // Between a create and its start (the case auto-remove and the stdin link cannot cover):
        // the probe reaches the engine through a gate that holds the start request of the
        // container to kill at, kills the probe, and never passes the request on.
        await using var gate = instant.BeforeStart
            ? EngineStartGate.Open(labels => !Observe(labels.TryGetValue(ContainerLabels.Kind, out var kind) && kind == instant.Kind))
            : null;
        using var probe = started = ProbeRun.Start(isolation, "victim-" + Guid.NewGuid().ToString("N")[..8], dockerHost: gate?.Host);

        if (instant.Line is { } prefix)
        {
            probe.OnLine(line => Observe(line.StartsWith(prefix, StringComparison.Ordinal)));
        }

        var runId = await probe.RunIdAsync();
        using var stopWatching = new CancellationTokenSource();
        var watching = instant.Action is null ? Task.CompletedTask : TestEngine.Inspector.System.MonitorEventsAsync(
            new ContainerEventsParameters
            {
                // Replayed from before the run connected: nothing is missed while the watch starts.
                Since = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5).ToString(CultureInfo.InvariantCulture),
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["event"] = new Dictionary<string, bool> { [instant.Action] = true },
                    ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.RunId}={runId}"] = true },
                },
            },
            new SynchronousProgress<Message>(message => Observe(message.Actor?.Attributes is { } attributes && attributes.TryGetValue(ContainerLabels.Kind, out var kind) && kind == instant.Kind)),
            stopWatching.Token);
        if (instant.Line == "run ")
        {
            Observe(true); // its first line: the run has just connected
        }

        DateTimeOffset killedAt;
        try
        {
            killedAt = await killed.Task.WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            throw new AssertFailedException($"{instant.Name}: that instant never came within 90 s: {probe.Output}");
        }
        finally
        {
            await stopWatching.CancelAsync();
            try
            {
                await watching;
            }
            catch (OperationCanceledException)
            {
            }
        }

        var left = await RunResources.ListAsync(runId);
        var took = await RunResources.WaitUntilGoneAsync(runId, killedAt, Limit, $"{isolation}, killed {instant.Name} (then: {string.Join(", ", left)})");
        return (killedAt, left, took);
    }

    private static async Task<IReadOnlyList<string>> ReapersOfAsync(string runId) =>
        (await RunResources.ListAsync(runId)).Where(r => r.EndsWith(" reaper", StringComparison.Ordinal)).Select(r => r.Split(' ')[1]).ToList();

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan limit, Func<string> message)
    {
        var until = DateTimeOffset.UtcNow + limit;
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > until)
            {
                Assert.Fail(message());
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// When to kill: at the <paramref name="Count"/>-th line starting with <paramref name="Line"/>, or event
    /// <paramref name="Action"/> of a container of <paramref name="Kind"/>, or with <paramref name="BeforeStart"/>
    /// when the start of such a container is asked for, before the engine gets the request.
    /// </summary>
    private sealed record Instant(string Name, string? Line = null, string? Action = null, string? Kind = null, int Count = 1, bool BeforeStart = false);
}
