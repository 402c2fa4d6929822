namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

using System.Text;
using ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// The host's side of one worker container: it starts the worker's supervisor, hands it the
/// sandbox spec, and then runs one job at a time in a fresh sandbox (<see cref="WarmAsync"/> makes
/// it and starts the job's command ahead of need, <see cref="RunAsync"/> hands the job its input
/// and waits for its end). The supervisor's frames are cut apart here: a job's output goes to
/// that job's buffers and observer, events to whoever waits for them.
/// </summary>
internal sealed class SandboxWorker : IJobObserver, IAsyncDisposable
{
    /// <summary>How long a worker may take from its start to a working trial sandbox.</summary>
    private static readonly TimeSpan ConfigureTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a killed sandbox may take to be reported gone.</summary>
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(15);

    private const int DiagnosticsLimit = 8192;

    private readonly WorkerFrameReader frames = new();
    private readonly TaskCompletionSource<WorkerEvent> configured = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception> lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder diagnostics = new();
    private readonly long outputLimitBytes;
    private IJobSession? session;
    private volatile SandboxJob? current;
    private int disposed;

    private SandboxWorker(long outputLimitBytes) => this.outputLimitBytes = outputLimitBytes;

    /// <summary>The worker container's id.</summary>
    public string? ContainerId => session?.InstanceId;

    /// <summary>True once the worker is gone (its container ended, the engine went away).</summary>
    public bool IsLost => lost.Task.IsCompleted;

    /// <summary>Why the worker is gone (a <see cref="ContainerRuntimeException"/> when the engine is); null while it lives.</summary>
    public Exception? LostCause => lost.Task.IsCompleted ? lost.Task.Result : null;

    /// <summary>
    /// Starts a worker from <paramref name="workerSpec"/> and configures its sandboxes; returns once
    /// a trial sandbox has run in it.
    /// </summary>
    /// <exception cref="SandboxUnavailableException">No sandbox can be made in it; the message says why.</exception>
    /// <exception cref="ContainerRuntimeException">The engine or the image is at fault.</exception>
    public static async Task<SandboxWorker> StartAsync(IJobSessionHost host, JobSpec workerSpec, SandboxSpec sandbox, long jobOutputLimitBytes, CancellationToken cancellationToken)
    {
        var worker = new SandboxWorker(jobOutputLimitBytes);
        try
        {
            worker.session = await host.StartSessionAsync(workerSpec, worker, cancellationToken).ConfigureAwait(false);
            _ = worker.WatchAsync(worker.session);
            await worker.SendAsync(new WorkerRequest { Operation = WorkerRequest.Configure, Spec = sandbox }, cancellationToken).ConfigureAwait(false);
            var answer = await Task.WhenAny(worker.configured.Task, worker.lost.Task).WaitAsync(ConfigureTimeout, cancellationToken).ConfigureAwait(false);
            if (answer == worker.lost.Task)
            {
                var cause = await worker.lost.Task.ConfigureAwait(false);
                throw cause as ContainerRuntimeException ?? new SandboxUnavailableException($"its worker container ended before it could make a sandbox: {cause.Message.TrimEnd('.')}{worker.DiagnosticsSuffix()}.", cause);
            }

            var reply = await worker.configured.Task.ConfigureAwait(false);
            if (reply.Name != WorkerEvent.Configured)
            {
                throw new SandboxUnavailableException(Refusal(reply.Message));
            }

            return worker;
        }
        catch (Exception ex)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            switch (ex)
            {
                case TimeoutException:
                    throw new SandboxUnavailableException($"its worker container did not make a trial sandbox within {ConfigureTimeout.TotalSeconds:0} s{worker.DiagnosticsSuffix()}.", ex);
                case WorkerLostException { InnerException: ContainerRuntimeException environment }:
                    throw environment;
                case WorkerLostException or IOException:
                    throw new SandboxUnavailableException($"its worker container ended before it could make a sandbox: {ex.Message.TrimEnd('.')}{worker.DiagnosticsSuffix()}.", ex);
                default:
                    throw;
            }
        }
    }

    /// <summary>
    /// Makes the sandbox of job <paramref name="jobId"/> and starts its command, which waits for
    /// its input. Returns when it runs — or has already ended (its end is the job's result then).
    /// </summary>
    /// <exception cref="WorkerLostException">The worker went away.</exception>
    public async Task WarmAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = new SandboxJob(jobId, outputLimitBytes);
        current = job;
        await SendAsync(new WorkerRequest { Operation = WorkerRequest.Warm, Job = jobId }, cancellationToken).ConfigureAwait(false);
        if (await Task.WhenAny(job.Ready.Task, lost.Task).WaitAsync(cancellationToken).ConfigureAwait(false) == lost.Task)
        {
            throw new WorkerLostException(await lost.Task.ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Hands the warm job <paramref name="input"/> (its time starts now) and waits for its end,
    /// killing it past <paramref name="timeout"/> or on cancellation. The worker is ready to warm
    /// the next job when this returns.
    /// </summary>
    /// <exception cref="ContainerRuntimeException">The engine went away.</exception>
    public async Task<JobResult> RunAsync(ReadOnlyMemory<byte> input, IJobObserver? observer, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var job = current ?? throw new InvalidOperationException("No job is warm in this worker.");
        job.Observe(observer);
        observer?.OnStarted(job.Id, job.Id);
        var termination = TerminationReason.Exited;
        WorkerEvent end;
        try
        {
            if (!job.Exited.Task.IsCompleted)
            {
                await SendAsync(new WorkerRequest { Operation = WorkerRequest.Run, Job = job.Id, Input = input }, CancellationToken.None).ConfigureAwait(false);
            }

            try
            {
                end = await WaitForEndAsync(job, timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                termination = ex is TimeoutException ? TerminationReason.TimedOut : TerminationReason.Cancelled;
                await SendAsync(new WorkerRequest { Operation = WorkerRequest.Kill, Job = job.Id }, CancellationToken.None).ConfigureAwait(false);
                end = await WaitForEndAsync(job, KillTimeout, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WorkerLostException ex) when (ex.InnerException is not ContainerRuntimeException)
        {
            current = null;
            return job.Result(TerminationReason.WorkerLost, null) with
            {
                FailureCause = $"The worker container {Short(ContainerId)} running it went away: {ex.Cause}{DiagnosticsSuffix()}",
            };
        }
        catch (WorkerLostException ex)
        {
            current = null;
            throw ex.InnerException!;
        }
        catch (IOException ex)
        {
            // The worker's stdin broke: it is gone, and WatchAsync says why (next time).
            current = null;
            return job.Result(TerminationReason.WorkerLost, null) with { FailureCause = $"The worker container {Short(ContainerId)} running it stopped listening: {ex.Message}" };
        }

        current = null;
        if (end.ExitCode is null && end.Message is not null)
        {
            return job.Result(TerminationReason.FailedToStart, null) with { FailureCause = $"Its sandbox could not be made: {end.Message}" };
        }

        if (termination == TerminationReason.Exited && end.OutOfMemory)
        {
            termination = TerminationReason.OutOfMemory;
        }

        return job.Result(termination, termination == TerminationReason.Exited || termination == TerminationReason.OutOfMemory ? end.ExitCode : null);
    }

    /// <inheritdoc />
    public void OnStarted(string jobId, string instanceId)
    {
        // The worker's own start: nothing to tell.
    }

    /// <inheritdoc />
    public void OnOutput(string jobId, OutputChannel channel, ReadOnlySpan<byte> chunk)
    {
        if (channel == OutputChannel.Stderr)
        {
            lock (diagnostics)
            {
                if (diagnostics.Length < DiagnosticsLimit)
                {
                    diagnostics.Append(Encoding.UTF8.GetString(chunk));
                }
            }

            return;
        }

        try
        {
            frames.Append(chunk, OnFrame);
        }
        catch (InvalidDataException ex)
        {
            lost.TrySetResult(new IOException(ex.Message, ex));
        }
    }

    /// <summary>Kills and removes the worker container (and with it any sandbox).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        lost.TrySetResult(new ObjectDisposedException(nameof(SandboxWorker)));
    }

    private static string Refusal(string? message) =>
        $"the kernel or the engine refused to make a sandbox ({message?.Trim().TrimEnd('.') ?? "no reason given"}).";

    private static string Short(string? id) => id is { Length: > 12 } ? id[..12] : id ?? "?";

    private void OnFrame(byte kind, ReadOnlySpan<byte> payload)
    {
        switch (kind)
        {
            case WorkerFrame.Stdout:
            case WorkerFrame.Stderr:
                current?.Append(kind == WorkerFrame.Stdout ? OutputChannel.Stdout : OutputChannel.Stderr, payload);
                break;
            case WorkerFrame.Event:
                var workerEvent = WorkerEvent.Parse(payload);
                switch (workerEvent.Name)
                {
                    case WorkerEvent.Configured or WorkerEvent.Refused:
                        configured.TrySetResult(workerEvent);
                        break;
                    case WorkerEvent.Ready when current is { } warm && warm.Id == workerEvent.Job:
                        warm.Ready.TrySetResult();
                        break;
                    case WorkerEvent.Exited when current is { } ended && ended.Id == workerEvent.Job:
                        ended.Ready.TrySetResult();
                        ended.Exited.TrySetResult(workerEvent);
                        break;
                }

                break;
        }
    }

    private async Task<WorkerEvent> WaitForEndAsync(SandboxJob job, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(job.Exited.Task, lost.Task).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (first == lost.Task && !job.Exited.Task.IsCompleted)
        {
            throw new WorkerLostException(await lost.Task.ConfigureAwait(false));
        }

        return await job.Exited.Task.ConfigureAwait(false);
    }

    private async Task SendAsync(WorkerRequest request, CancellationToken cancellationToken)
    {
        if (lost.Task.IsCompleted)
        {
            throw new WorkerLostException(await lost.Task.ConfigureAwait(false));
        }

        await session!.WriteAsync(request.ToLine(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for the worker container's end and tells whoever waits on it.</summary>
    private async Task WatchAsync(IJobSession workerSession)
    {
        Exception cause;
        try
        {
            var end = await workerSession.Completion.ConfigureAwait(false);
            cause = end.Termination switch
            {
                // Refused for what only a worker asks (its seccomp profile, unmasked paths, an
                // init): no sandbox here. Refused for what the job itself asks (a memory limit the
                // engine will not take, say): the job's own problem, as it would be in a container.
                TerminationReason.FailedToStart when SandboxRelaxation.Matches(end.FailureCause) => new IOException($"it did not start: {end.FailureCause}"),
                TerminationReason.FailedToStart => new ContainerRuntimeException(end.FailureCause ?? "The engine refused to start the container.", RetryClass.NotRetryable),
                TerminationReason.OutOfMemory => new IOException("it ran out of memory"),
                _ => new IOException($"it ended with exit code {end.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}"),
            };
        }
        catch (Exception ex)
        {
            cause = ex;
        }

        lost.TrySetResult(cause);
    }

    private string DiagnosticsSuffix()
    {
        lock (diagnostics)
        {
            var text = diagnostics.ToString().Trim();
            return text.Length == 0 ? string.Empty : $" (its supervisor said: {text})";
        }
    }

    /// <summary>One job's sandbox: its output so far and its two moments, ready and ended.</summary>
    private sealed class SandboxJob(string id, long outputLimitBytes)
    {
        private readonly BoundedOutputBuffer stdout = new(outputLimitBytes);
        private readonly BoundedOutputBuffer stderr = new(outputLimitBytes);
        private readonly object gate = new();
        private IJobObserver? observer;
        private DateTimeOffset startedAt = DateTimeOffset.UtcNow;

        public string Id { get; } = id;

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<WorkerEvent> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>From now on output goes to <paramref name="jobObserver"/> too, and the job's time runs.</summary>
        public void Observe(IJobObserver? jobObserver)
        {
            lock (gate)
            {
                observer = jobObserver;
                startedAt = DateTimeOffset.UtcNow;
            }
        }

        public void Append(OutputChannel channel, ReadOnlySpan<byte> chunk)
        {
            lock (gate)
            {
                (channel == OutputChannel.Stdout ? stdout : stderr).Append(chunk);
                observer?.OnOutput(Id, channel, chunk);
            }
        }

        public JobResult Result(TerminationReason termination, int? exitCode)
        {
            lock (gate)
            {
                return new JobResult
                {
                    JobId = Id,
                    InstanceId = Id,
                    InstanceKind = "sandbox",
                    Termination = termination,
                    ExitCode = exitCode,
                    Stdout = stdout.ToCapturedOutput(),
                    Stderr = stderr.ToCapturedOutput(),
                    StartedAt = startedAt,
                    EndedAt = DateTimeOffset.UtcNow,
                };
            }
        }
    }
}
