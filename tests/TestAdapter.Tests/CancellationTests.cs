namespace ContainerTest.TestAdapter.Tests;

using System.Globalization;
using ContainerTest.ContainerRuntime;
using ContainerTest.TestAdapter.Tests.Fixtures;
using ContainerTest.Tests.Engine;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Stopping <c>dotnet test</c> at any instant — Ctrl-C, or SIGKILL of its whole process group, as
/// a CI runner's cancel does — leaves nothing of its run on the engine 15 s later (containers
/// created and never started, sandbox workers, the run's reaper itself), in sandbox and container
/// mode; a run beside it goes on untouched, and the next run starts clean. What a killed run left
/// is found by its processes' ids and its run's id, never by counting the engine's containers.
/// </summary>
[TestClass]
public sealed class CancellationTests
{
    private const string Project = "tests/Fixtures/TestProjects/KillFixture/KillFixture.csproj";
    private const string LoadProject = "tests/Fixtures/TestProjects/ManyTestsFixture/ManyTestsFixture.csproj";
    private const string LoadFilter = "FullyQualifiedName~ManyTests.T0";
    private const int LoadTests = 99;
    private const int ProjectTests = 12;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    [ClassInitialize]
    public static async Task BuildAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(LoadProject), context.CancellationToken);
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task Ctrl_C_in_the_middle_of_a_run_leaves_nothing(string isolation)
    {
        using var run = StartRun(isolation);
        var work = WorkKind(isolation);

        // Once a test runs (its container or worker runs), Ctrl-C: dotnet test kills the test host.
        var clock = DateTimeOffset.UtcNow;
        while (!(await new RunsOfProcesses(run.Members()).ListAsync()).Any(r => r.Contains($" running {work} ", StringComparison.Ordinal)))
        {
            Assert.IsTrue(DateTimeOffset.UtcNow - clock < TimeSpan.FromSeconds(90), "no test started within 90 s: " + run.Output);
            Assert.IsFalse(run.HasExited, "the run ended before a test started: " + run.Output);
            await Task.Delay(100);
        }

        run.Signal("INT");
        var interrupted = DateTimeOffset.UtcNow;
        var runs = new RunsOfProcesses(run.Members());
        var took = await runs.WaitUntilNothingLeftAsync(interrupted, Limit, $"{isolation}: after Ctrl-C (pid {run.Id})");
        await run.WaitUntilGoneAsync(TimeSpan.FromSeconds(30));
        Console.WriteLine($"{isolation}: nothing of run {string.Join(", ", runs.RunIds)} left {took.TotalSeconds:0.0} s after Ctrl-C");
        Assert.AreEqual(1, runs.RunIds.Count, "the run was found by its test host's containers");
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task Killing_dotnet_test_at_any_instant_leaves_nothing_and_the_run_beside_it_goes_on(string isolation)
    {
        var work = WorkKind(isolation);
        // Instants that mean the same in both modes are split between them (the suite's time);
        // those where the pool's or the workers' own objects are caught are taken in both.
        var sandbox = isolation == "sandbox";
        Instant[] instants =
        [
            sandbox ? new("1 s after dotnet test started", After: TimeSpan.FromSeconds(1)) : new("3 s after dotnet test started (the test host starts and discovers)", After: TimeSpan.FromSeconds(3)),
            sandbox ? new("when its reaper was created (only another run's reaper can remove it then)", Action: "create", Kind: "reaper") : new("when its reaper had started", Action: "start", Kind: "reaper"),
            .. sandbox ? Array.Empty<Instant>() : [new Instant("while its copy-on-write image is prepared (its output folder changed)", Action: "create", Kind: "cow-build", ChangeOutput: true)],
            new("between the pool's first container's create and its start", Kind: work, BeforeStart: true),
            new("when the pool created its fourth container", Action: "create", Kind: work, Count: 4),
            sandbox ? new("in the middle of the run", Line: "Passed Test", Count: 6) : new("when the first result came back", Line: "Passed Test"),
            .. sandbox ? Array.Empty<Instant>() : [new Instant("when the last result came back", Line: "Passed Test", Count: ProjectTests)],
            new(sandbox ? "while the workers are removed at the end" : "while a test's container is removed", Action: "destroy", Kind: work, Count: sandbox ? 1 : 3),
        ];

        // Load beside it: whole runs of another project, one after another, each of which must pass entirely.
        using var stopLoad = new CancellationTokenSource();
        var load = LoadAsync(isolation, stopLoad.Token);

        var report = new List<string>();
        var killed = new List<RunsOfProcesses>();
        try
        {
            foreach (var instant in instants)
            {
                var kill = await KillAtAsync(isolation, instant);
                killed.Add(kill.Runs);
                report.Add(
                    $"{instant.Name}: {(kill.LeftAtKill.Count == 0 ? "nothing" : string.Join("; ", kill.LeftAtKill.Select(l => l[..l.IndexOf(" run ", StringComparison.Ordinal)])))} left once its processes were gone, "
                    + $"nothing {kill.Took.TotalSeconds:0.0} s after the kill; removed without ever starting: {(kill.NeverStarted.Count == 0 ? "none" : string.Join(", ", kill.NeverStarted))}");
                if (instant.BeforeStart)
                {
                    Assert.IsTrue(kill.NeverStarted.Contains(work), $"{instant.Name}: the {work} container the run was killed before starting was not removed by its reaper, or not seen: " + string.Join('\n', report));
                }

                Assert.IsFalse(load.IsCompleted, "the load beside it ended early: " + (load.IsFaulted ? load.Exception!.ToString() : "?"));
            }
        }
        finally
        {
            await stopLoad.CancelAsync();
        }

        Console.WriteLine(string.Join('\n', report));

        // Every run beside it passed entirely: nothing of a live run was touched.
        var loadRuns = await load;
        Assert.IsTrue(loadRuns >= 1, "no load run finished beside the kills");

        // Nothing of any killed run came back later (a create the engine finished late).
        foreach (var runs in killed)
        {
            var left = await runs.ListAsync();
            Assert.AreEqual(0, left.Count, "a killed run has something again: " + string.Join("; ", left));
        }

        // The next run starts clean and runs everything.
        var next = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), environment: Environment(isolation));
        Assert.AreEqual(0, next.ExitCode, next.Output);
        Assert.AreEqual(ProjectTests, next.Report.Results.Count(r => r.Outcome == "Passed"), next.Output);
    }

    [TestMethod]
    public async Task Killing_dotnet_test_while_the_host_image_is_built_leaves_nothing()
    {
        // An engine of the test's own, without the host image: the run has to build it.
        await using var engine = await PrivateDockerEngine.StartAsync();
        var environment = new Dictionary<string, string> { ["DOCKER_HOST"] = engine.Host };
        using var run = ProcessGroup.Start(
            ["dotnet", "test", DotnetTest.PathOf(Project), "-c", "Release", "--no-build"],
            DotnetTest.RepositoryRoot,
            environment);

        // The engine registers the image's layer in a transaction folder of its own while the tar
        // streams in (layerdb/tmp/write-set-*): kill while it is there.
        var transactions = Path.Combine(engine.DataRoot, "image", "overlay2", "layerdb", "tmp");
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(120);
        while (!(Directory.Exists(transactions) && Directory.EnumerateDirectories(transactions, "write-set-*").Any()))
        {
            Assert.IsTrue(DateTimeOffset.UtcNow < until, "the host image was not being built within 120 s: " + run.Output);
            Assert.IsFalse(run.HasExited, "the run ended first: " + run.Output);
            await Task.Delay(10);
        }

        run.Signal("KILL");
        var killed = DateTimeOffset.UtcNow;
        await run.WaitUntilGoneAsync(TimeSpan.FromSeconds(10));

        // Nothing at all on this engine but, at most, a complete host image (the engine may finish
        // an import whose whole stream it had): no container, no half-made image.
        using var client = engine.Client();
        while (true)
        {
            var containers = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true });
            var dangling = await client.Images.ListImagesAsync(new ImagesListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["dangling"] = new Dictionary<string, bool> { ["true"] = true } } });
            if (containers.Count == 0 && dangling.Count == 0)
            {
                break;
            }

            Assert.IsTrue(DateTimeOffset.UtcNow - killed < Limit, $"15 s after the kill: {containers.Count} container(s), {dangling.Count} untagged image(s)");
            await Task.Delay(250);
        }

        var images = await client.Images.ListImagesAsync(new ImagesListParameters());
        Console.WriteLine($"killed while the host image was built; afterwards the engine has: {(images.Count == 0 ? "no image" : string.Join(", ", images.SelectMany(i => i.RepoTags ?? [])))}");

        // The next run starts clean: it builds the host image (again) and passes.
        var next = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), environment: environment);
        Assert.AreEqual(0, next.ExitCode, next.Output);
        Assert.AreEqual(ProjectTests, next.Report.Results.Count(r => r.Outcome == "Passed"), next.Output);
    }

    private static string WorkKind(string isolation) => isolation == "sandbox" ? ContainerLabels.WorkerKind : ContainerLabels.JobKind;

    private static Dictionary<string, string> Environment(string isolation) => new() { ["CONTAINERTEST_ISOLATION"] = isolation };

    private static ProcessGroup StartRun(string isolation, string? dockerHost = null) => ProcessGroup.Start(
        ["dotnet", "test", DotnetTest.PathOf(Project), "-c", "Release", "--no-build", "--logger", "console;verbosity=normal", "--", "RunConfiguration.BatchSize=1"],
        DotnetTest.RepositoryRoot,
        dockerHost is null ? Environment(isolation) : new(Environment(isolation)) { ["DOCKER_HOST"] = dockerHost });

    /// <summary>Runs the load project again and again until stopped; fails when one of its runs does not pass entirely. Returns how many ran.</summary>
    private static async Task<int> LoadAsync(string isolation, CancellationToken stop)
    {
        var runs = 0;
        while (!stop.IsCancellationRequested)
        {
            var outcome = await DotnetTest.TestAsync(DotnetTest.PathOf(LoadProject), ["--filter", LoadFilter], Environment(isolation), cancellationToken: CancellationToken.None);
            Assert.AreEqual(0, outcome.ExitCode, "a run beside the kills failed: " + outcome.Output);
            Assert.AreEqual(LoadTests, outcome.Report.Results.Count(r => r.Outcome == "Passed"), "a run beside the kills lost results: " + outcome.Output);
            runs++;
        }

        return runs;
    }

    /// <summary>
    /// Starts a run, SIGKILLs its process group at <paramref name="instant"/>, and waits until
    /// nothing of its run is left. Returns what it had at the kill and, from the engine's events,
    /// its containers that were created, never started, and removed all the same.
    /// </summary>
    private static async Task<Killed> KillAtAsync(string isolation, Instant instant)
    {
        // A file the output folder did not have: the run must make its copy-on-write image anew.
        var change = Path.Combine(Path.GetDirectoryName(DotnetTest.PathOf(Project))!, "bin", "Release", "net10.0", "kill-test-" + Guid.NewGuid().ToString("N")[..8] + ".txt");
        if (instant.ChangeOutput)
        {
            await File.WriteAllTextAsync(change, "changes the output folder's content");
        }

        try
        {
            return await KillRunAtAsync(isolation, instant);
        }
        finally
        {
            File.Delete(change);
        }
    }

    private static async Task<Killed> KillRunAtAsync(string isolation, Instant instant)
    {
        using var client = new DockerClientBuilder().Build();
        var killedAt = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        ProcessGroup? started = null;
        bool Observe(bool matches)
        {
            if (matches && Interlocked.Increment(ref seen) == instant.Count)
            {
                started!.Signal("KILL");
                killedAt.TrySetResult(DateTimeOffset.UtcNow);
                return true;
            }

            return false;
        }

        // Between a create and its start: the run reaches the engine through a gate that holds
        // the start request of the container to kill at, kills the run, and never passes it on.
        await using var gate = instant.BeforeStart
            ? EngineStartGate.Open(labels => !Observe(labels.TryGetValue(ContainerLabels.Kind, out var kind) && kind == instant.Kind))
            : null;
        using var run = started = StartRun(isolation, gate?.Host);

        if (instant.Line is { } text)
        {
            run.OnLine(line => Observe(line.Contains(text, StringComparison.Ordinal)));
        }

        // Every container of the run: what happened to it (create, start, destroy), from the engine's events.
        var lives = new Dictionary<string, (string Kind, HashSet<string> Events)>(StringComparer.Ordinal);
        void Record(Message message)
        {
            if (!IsOf(run, message) || message.Actor is not { ID: { } id, Attributes: { } attributes })
            {
                return;
            }

            lock (lives)
            {
                if (!lives.TryGetValue(id, out var life))
                {
                    lives[id] = life = (attributes.TryGetValue(ContainerLabels.Kind, out var kind) ? kind : "?", []);
                }

                life.Events.Add(message.Action);
            }

            Observe(message.Action == instant.Action && attributes.TryGetValue(ContainerLabels.Kind, out var ofKind) && ofKind == instant.Kind);
        }

        using var stopWatching = new CancellationTokenSource();
        var watching = client.System.MonitorEventsAsync(
            new ContainerEventsParameters
            {
                Since = (run.Started.ToUnixTimeSeconds() - 1).ToString(CultureInfo.InvariantCulture),
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["event"] = new[] { "create", "start", "destroy", instant.Action ?? "create" }.Distinct().ToDictionary(e => e, _ => true),
                    ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Managed}=true"] = true },
                },
            },
            new Progress(Record),
            stopWatching.Token);
        if (instant.After is { } after)
        {
            _ = Task.Delay(after).ContinueWith(_ => Observe(true), TaskScheduler.Default);
        }

        try
        {
            DateTimeOffset at;
            try
            {
                at = await killedAt.Task.WaitAsync(TimeSpan.FromSeconds(120));
            }
            catch (TimeoutException)
            {
                throw new AssertFailedException($"{isolation}: the instant '{instant.Name}' never came within 120 s: {run.Output}");
            }

            await run.WaitUntilGoneAsync(TimeSpan.FromSeconds(10));
            var runs = new RunsOfProcesses(run.Members());
            var left = await runs.ListAsync();
            var took = await runs.WaitUntilNothingLeftAsync(at, Limit, $"{isolation}: killed {instant.Name} (then: {string.Join("; ", left)})");
            await Task.Delay(500); // the last destroy events
            lock (lives)
            {
                var neverStarted = lives.Values
                    .Where(l => l.Events.Contains("create") && l.Events.Contains("destroy") && !l.Events.Contains("start"))
                    .Select(l => l.Kind)
                    .ToList();
                return new Killed(runs, left, took, neverStarted);
            }
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
    }

    /// <summary>Whether an event is of a container one of the run's processes made (its reaper's guarded process, or any other's owner).</summary>
    private static bool IsOf(ProcessGroup run, Message message)
    {
        if (message.Actor?.Attributes is not { } attributes)
        {
            return false;
        }

        var pid = attributes.TryGetValue(ContainerLabels.GuardedProcessId, out var guarded) ? guarded
            : attributes.TryGetValue(ContainerLabels.OwnerProcessId, out var owner) ? owner
            : null;
        return int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && run.KnownMembers.Contains(id);
    }

    /// <summary>What a kill left: the run, what it had at the kill, how long until nothing was left, and the kinds of its containers removed without ever starting.</summary>
    private sealed record Killed(RunsOfProcesses Runs, IReadOnlyList<string> LeftAtKill, TimeSpan Took, IReadOnlyList<string> NeverStarted);

    /// <summary>
    /// When to kill: <paramref name="After"/> the start, or at the <paramref name="Count"/>-th line
    /// holding <paramref name="Line"/> or event <paramref name="Action"/> of a container of
    /// <paramref name="Kind"/>; with <paramref name="ChangeOutput"/>, the fixture's output folder
    /// gets a new file first.
    /// </summary>
    private sealed record Instant(string Name, TimeSpan? After = null, string? Line = null, string? Action = null, string? Kind = null, int Count = 1, bool ChangeOutput = false, bool BeforeStart = false);

    /// <summary>Reports on the caller's thread (System.Progress posts to the thread pool, too late for an instant).</summary>
    private sealed class Progress(Action<Message> report) : IProgress<Message>
    {
        public void Report(Message value) => report(value);
    }
}
