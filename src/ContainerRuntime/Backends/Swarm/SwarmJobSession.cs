namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using ContainerTest.ContainerRuntime.Backends.Swarm.Relay;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// A long-lived job (a sandbox worker) on a cluster node, reached through its launcher's
/// connection (see <see cref="IJobSession"/>): writes become <see cref="RelayFrame.Input"/> frames,
/// the worker's output arrives as <see cref="RelayFrame.Stdout"/> and <see cref="RelayFrame.Stderr"/>
/// frames and goes to the observer as it comes, and <see cref="Completion"/> ends with the worker —
/// or fails with an <see cref="IOException"/> saying how its node was lost: the connection closed,
/// the node went silent for <see cref="RelayFrame.SilenceLimit"/>, or Swarm stopped the launcher (a
/// drained node). Disposing it ends the worker and removes its service.
/// </summary>
internal sealed class SwarmJobSession : IJobSession
{
    private static readonly TimeSpan EndTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a launcher may take from its plan to a running worker (the node's engine creating, attaching and starting it).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly RelayConnection connection;
    private readonly IJobObserver observer;
    private readonly Func<ValueTask> removeService;
    private readonly BoundedOutputBuffer stdout;
    private readonly BoundedOutputBuffer stderr;
    private readonly TaskCompletionSource<JobResult> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DateTimeOffset startedAt = DateTimeOffset.UtcNow;
    private Task reading = Task.CompletedTask;
    private int disposed;

    private SwarmJobSession(string jobId, string node, RelayConnection connection, IJobObserver observer, long outputLimitBytes, Func<ValueTask> removeService)
    {
        JobId = jobId;
        Node = node;
        this.connection = connection;
        this.observer = observer;
        this.removeService = removeService;
        stdout = new BoundedOutputBuffer(outputLimitBytes);
        stderr = new BoundedOutputBuffer(outputLimitBytes);
    }

    /// <inheritdoc />
    public string JobId { get; }

    /// <summary>The node's host name.</summary>
    public string Node { get; }

    /// <summary>The worker container's id on its node's engine.</summary>
    public string? InstanceId { get; private set; }

    /// <inheritdoc />
    public Task<JobResult> Completion => completion.Task;

    /// <summary>
    /// Hands the launcher on <paramref name="connection"/> its <paramref name="plan"/> and returns
    /// once the worker runs — or has failed to start (then <see cref="Completion"/> says why).
    /// </summary>
    public static async Task<SwarmJobSession> StartAsync(string jobId, string node, RelayConnection connection, WorkerPlan plan, IJobObserver observer, long outputLimitBytes, Func<ValueTask> removeService, CancellationToken cancellationToken)
    {
        var session = new SwarmJobSession(jobId, node, connection, observer, outputLimitBytes, removeService);
        try
        {
            connection.StartHeartbeat();
            await connection.WriteAsync(RelayFrame.Plan, plan.ToUtf8Json(), cancellationToken).ConfigureAwait(false);
            session.reading = Task.Run(session.ReadAsync, CancellationToken.None);
            try
            {
                await Task.WhenAny(session.started.Task, session.completion.Task).WaitAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw new Errors.ContainerRuntimeException(
                    $"The launcher on node {node} did not get the worker container running within {StartTimeout.TotalMinutes:0} minutes: the node's engine is stuck or overloaded (`docker service logs` of the run's services shows the launcher's words).",
                    Errors.RetryClass.Retryable,
                    ex);
            }

            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (completion.Task.IsCompleted)
        {
            throw new IOException($"The worker on node {Node} has ended.");
        }

        await connection.WriteAsync(RelayFrame.Input, bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        if (!completion.Task.IsCompleted)
        {
            try
            {
                await connection.WriteAsync(RelayFrame.Kill, ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                await Task.WhenAny(completion.Task, Task.Delay(EndTimeout)).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Already gone: removing its service is what is left.
            }
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        await reading.ConfigureAwait(false);
        completion.TrySetException(new IOException($"The worker on node {Node} was removed."));
        await removeService().ConfigureAwait(false);
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await connection.ReadAsync().ConfigureAwait(false) is { } frame)
            {
                switch (frame.Kind)
                {
                    case RelayFrame.Started:
                        InstanceId = WorkerStarted.Parse(frame.Payload).ContainerId;
                        started.TrySetResult();
                        break;
                    case RelayFrame.Stdout:
                        stdout.Append(frame.Payload);
                        observer.OnOutput(JobId, OutputChannel.Stdout, frame.Payload);
                        break;
                    case RelayFrame.Stderr:
                        stderr.Append(frame.Payload);
                        observer.OnOutput(JobId, OutputChannel.Stderr, frame.Payload);
                        break;
                    case RelayFrame.Ended:
                        End(WorkerEnded.Parse(frame.Payload));
                        return;
                }
            }

            Lost($"the connection to its launcher on node {Node} closed");
        }
        catch (TimeoutException)
        {
            Lost($"its node {Node} stopped answering: no word from the node for {RelayFrame.SilenceLimit.TotalSeconds:0} s (the node was killed or shut down, lost its network, or is overloaded)");
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            Lost($"the connection to its launcher on node {Node} broke ({ex.Message.TrimEnd('.')})");
        }
    }

    private void End(WorkerEnded ended)
    {
        if (ended.Stopped is { } why)
        {
            Lost(why);
            return;
        }

        completion.TrySetResult(new JobResult
        {
            JobId = JobId,
            InstanceId = InstanceId,
            Termination = ended.FailedToStart is null ? TerminationReason.Exited : TerminationReason.FailedToStart,
            ExitCode = ended.ExitCode,
            FailureCause = ended.FailedToStart,
            Stdout = stdout.ToCapturedOutput(),
            Stderr = stderr.ToCapturedOutput(),
            StartedAt = startedAt,
            EndedAt = DateTimeOffset.UtcNow,
        });
    }

    private void Lost(string cause) => completion.TrySetException(new IOException(cause));
}
