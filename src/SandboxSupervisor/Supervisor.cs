namespace ContainerTest.SandboxSupervisor;

using System.Text;
using ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

/// <summary>
/// Takes the host's requests (see <see cref="WorkerRequest"/>) one at a time and keeps at most one
/// sandbox: made on <c>warm</c>, handed its input on <c>run</c>, killed on <c>kill</c> or when the
/// host goes away. Each sandbox's end is reported (<see cref="WorkerEvent.Exited"/>) after the last
/// of its output, and its files are gone before the next one is made.
/// </summary>
internal sealed class Supervisor(string bwrap, string scratch, FrameWriter output)
{
    /// <summary>How long a trial sandbox may take to show that sandboxes can be made here.</summary>
    private static readonly TimeSpan TrialTimeout = TimeSpan.FromSeconds(30);

    private SandboxSpec? spec;
    private WorkerFileSystem? worker;
    private string? seccompFile;
    private Current? current;

    /// <summary>Handles one request.</summary>
    public async Task HandleAsync(WorkerRequest request)
    {
        switch (request.Operation)
        {
            case WorkerRequest.Configure:
                await output.WriteAsync(await ConfigureAsync(request.Spec ?? throw new InvalidDataException("configure without a spec.")).ConfigureAwait(false)).ConfigureAwait(false);
                break;
            case WorkerRequest.Warm:
                await WarmAsync(request.Job ?? throw new InvalidDataException("warm names no job.")).ConfigureAwait(false);
                break;
            case WorkerRequest.Run when current is { } running && running.Sandbox.Job == request.Job:
                running.OomKillsBefore = OomKillCounter.Read();
                await running.Sandbox.WriteInputAsync(request.Input).ConfigureAwait(false);
                break;
            case WorkerRequest.Kill when current is { } killed && killed.Sandbox.Job == request.Job:
                killed.Sandbox.Kill();
                break;
            case WorkerRequest.Run or WorkerRequest.Kill:
                break; // the job has ended already: its exited event is on its way, or sent
            default:
                throw new InvalidDataException($"Unknown request '{request.Operation}'.");
        }
    }

    /// <summary>The host is gone: the sandbox is killed, and its end awaited (briefly).</summary>
    public async Task StopAsync()
    {
        if (current is { } last)
        {
            last.Sandbox.Kill();
            await Task.WhenAny(last.Ended, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs one sandbox attached to the supervisor's own terminal (an interactive job), after the
    /// trial; returns its exit status, or 125 when no sandbox can be made (the reason is on stderr).
    /// </summary>
    public async Task<int> RunInteractiveAsync(SandboxSpec interactive)
    {
        var configured = await ConfigureAsync(interactive).ConfigureAwait(false);
        if (configured.Name != WorkerEvent.Configured)
        {
            await Console.Error.WriteLineAsync($"containertest: no sandbox can be made here: {configured.Message}").ConfigureAwait(false);
            return 125;
        }

        var job = "s" + Guid.NewGuid().ToString("N")[..11];
        var sandbox = StartSandbox(interactive, job, sink: null);
        var exitCode = await sandbox.WaitAsync().ConfigureAwait(false);
        RemoveJobFiles(job);
        return exitCode;
    }

    /// <summary>Takes the spec and runs a trial sandbox: <see cref="WorkerEvent.Configured"/> or <see cref="WorkerEvent.Refused"/>.</summary>
    private async Task<WorkerEvent> ConfigureAsync(SandboxSpec configured)
    {
        spec = configured;
        Directory.CreateDirectory(scratch);
        if (!configured.SeccompFilter.IsEmpty)
        {
            seccompFile = Path.Combine(scratch, "seccomp.bpf");
            await File.WriteAllBytesAsync(seccompFile, configured.SeccompFilter.ToArray()).ConfigureAwait(false);
        }

        worker = WorkerFileSystem.Inspect([.. configured.Tmpfs.Select(t => t.Path), .. configured.CopyOnWrite.Select(o => o.Path), "/.containertest"]);

        // A trial: the same sandbox, running bubblewrap's own static binary, proves that this
        // kernel and engine allow what every job's sandbox needs, before any job depends on it.
        var trialOutput = new StringBuilder();
        var trial = StartSandbox(configured with { Command = [bwrap, "--version"] }, "trial", (_, bytes) =>
        {
            lock (trialOutput)
            {
                trialOutput.Append(Encoding.UTF8.GetString(bytes.Span));
            }

            return Task.CompletedTask;
        });
        var exit = trial.WaitAsync();
        if (await Task.WhenAny(exit, Task.Delay(TrialTimeout)).ConfigureAwait(false) != exit)
        {
            trial.Kill();
            return new WorkerEvent { Name = WorkerEvent.Refused, Message = $"a trial sandbox did not finish within {TrialTimeout.TotalSeconds:0} s." };
        }

        RemoveJobFiles("trial");
        var text = trialOutput.ToString().Trim();
        return await exit.ConfigureAwait(false) == 0 && text.StartsWith("bubblewrap", StringComparison.Ordinal)
            ? new WorkerEvent { Name = WorkerEvent.Configured, Message = text }
            : new WorkerEvent { Name = WorkerEvent.Refused, Message = text.Length > 0 ? text : $"a trial sandbox failed with exit code {exit.Result}." };
    }

    private async Task WarmAsync(string job)
    {
        if (spec is null || worker is null)
        {
            throw new InvalidDataException("warm before configure.");
        }

        if (current is not null)
        {
            throw new InvalidDataException($"warm {job} while job {current.Sandbox.Job} still has the sandbox.");
        }

        var setupError = new StringBuilder();
        SandboxProcess sandbox;
        try
        {
            sandbox = StartSandbox(spec, job, async (stream, bytes) =>
            {
                if (stream == WorkerFrame.Stderr && setupError.Length < 2048)
                {
                    setupError.Append(Encoding.UTF8.GetString(bytes.Span));
                }

                await output.WriteAsync(stream, bytes).ConfigureAwait(false);
            });
        }
        catch (IOException ex)
        {
            await output.WriteAsync(new WorkerEvent { Name = WorkerEvent.Exited, Job = job, Message = $"the sandbox could not be started: {ex.Message}" }).ConfigureAwait(false);
            RemoveJobFiles(job);
            return;
        }

        var state = new Current(sandbox);
        current = state;
        state.Ended = ReportEndAsync(state, setupError);
        await output.WriteAsync(new WorkerEvent { Name = WorkerEvent.Ready, Job = job }).ConfigureAwait(false);
    }

    private SandboxProcess StartSandbox(SandboxSpec sandboxSpec, string job, SandboxProcess.OutputSink? sink)
    {
        var jobFiles = Path.Combine(scratch, job);
        Directory.CreateDirectory(jobFiles);
        File.WriteAllText(Path.Combine(jobFiles, "hostname"), job + "\n");
        // A sandbox on the worker's network keeps the names the engine mapped for it (allowed hosts, shared services).
        var mapped = sandboxSpec.ShareNetwork && File.Exists("/etc/hosts") ? WorkerHosts.MappedNames(File.ReadAllText("/etc/hosts"), Environment.MachineName) : [];
        File.WriteAllText(Path.Combine(jobFiles, "hosts"), BwrapCommandLine.HostsFile(job, mapped));
        return SandboxProcess.Start(bwrap, sandboxSpec, worker!, job, jobFiles, seccompFile, sink);
    }

    private async Task ReportEndAsync(Current state, StringBuilder setupError)
    {
        var exitCode = await state.Sandbox.WaitAsync().ConfigureAwait(false);
        var oomKills = OomKillCounter.Read();
        var outOfMemory = exitCode == 128 + Libc.SigKill && state.OomKillsBefore is { } before && oomKills > before;
        var stderr = setupError.ToString();
        var failedSetup = exitCode != 0 && stderr.StartsWith("bwrap: ", StringComparison.Ordinal);
        RemoveJobFiles(state.Sandbox.Job);
        current = null;
        await output.WriteAsync(new WorkerEvent
        {
            Name = WorkerEvent.Exited,
            Job = state.Sandbox.Job,
            ExitCode = failedSetup ? null : exitCode,
            OutOfMemory = outOfMemory,
            Message = failedSetup ? stderr.Split('\n')[0] : null,
        }).ConfigureAwait(false);
    }

    private void RemoveJobFiles(string job)
    {
        try
        {
            Directory.Delete(Path.Combine(scratch, job), recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a few bytes in the worker's scratch tmpfs, gone with the worker
        }
    }

    /// <summary>The one sandbox there is, and what its end needs to know.</summary>
    private sealed class Current(SandboxProcess sandbox)
    {
        public SandboxProcess Sandbox { get; } = sandbox;

        public long? OomKillsBefore { get; set; }

        public Task Ended { get; set; } = Task.CompletedTask;
    }
}
