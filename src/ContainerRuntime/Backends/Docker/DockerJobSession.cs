namespace ContainerTest.ContainerRuntime.Backends.Docker;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// A long-lived job in one container (see <see cref="IJobSession"/>): created, attached and
/// started as any job, then waited for without a timeout while writes go to its stdin; disposing
/// it kills and removes the container (and gives back the network it was leased).
/// </summary>
internal sealed class DockerJobSession : IJobSession
{
    private readonly DockerJobRun run;
    private readonly Func<ValueTask> release;
    private readonly SemaphoreSlim writing = new(1);
    private int disposed;

    private DockerJobSession(DockerJobRun run, Task<JobResult> completion, Func<ValueTask> release)
    {
        this.run = run;
        Completion = completion;
        this.release = release;
    }

    /// <inheritdoc />
    public string JobId => run.JobId;

    /// <inheritdoc />
    public string? InstanceId => run.ContainerId;

    /// <inheritdoc />
    public Task<JobResult> Completion { get; }

    /// <summary>
    /// Starts the container. <paramref name="mapEngineFailure"/> turns an engine that went away
    /// into the backend's error; <paramref name="engineStopped"/> tells, when the container ended
    /// without being asked to, whether the engine itself is going away (it stops its containers first).
    /// </summary>
    public static async Task<DockerJobSession> StartAsync(DockerJobRun run, IJobObserver observer, Func<Exception, Exception> mapEngineFailure, Func<Task<Exception?>> engineStopped, Func<ValueTask> release, CancellationToken cancellationToken)
    {
        run.ObserveFromStart(observer);
        try
        {
            var failed = await run.StartAsync(cancellationToken).ConfigureAwait(false);
            DockerJobSession? session = null;
            var completion = failed is not null ? Task.FromResult(failed) : WaitAsync(run, observer, mapEngineFailure, engineStopped, () => session?.disposed != 0);
            session = new DockerJobSession(run, completion, release);
            return session;
        }
        catch (Exception ex)
        {
            await run.RemoveAsync().ConfigureAwait(false);
            await release().ConfigureAwait(false);
            var mapped = mapEngineFailure(ex);
            if (ReferenceEquals(mapped, ex))
            {
                throw;
            }

            throw mapped;
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await run.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writing.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Killed first and waited for (its output read to the end), then removed.
        try
        {
            await run.KillAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or global::Docker.DotNet.DockerApiException or System.Net.Sockets.SocketException)
        {
            // The engine is gone (with the container) or failing; removal below tries once more.
        }

        try
        {
            await Completion.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Its end was reported to whoever awaited it (or never comes: the engine is gone); removal is what is left.
        }

        await run.RemoveAsync().ConfigureAwait(false);
        await release().ConfigureAwait(false);
        writing.Dispose();
    }

    private static async Task<JobResult> WaitAsync(DockerJobRun run, IJobObserver observer, Func<Exception, Exception> mapEngineFailure, Func<Task<Exception?>> engineStopped, Func<bool> endedByUs)
    {
        JobResult result;
        try
        {
            result = await run.FinishAsync(input: null, observer, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ReferenceEquals(mapEngineFailure(ex), ex))
        {
            throw mapEngineFailure(ex);
        }

        // Killed without our asking (SIGKILL or SIGTERM): most likely the engine is shutting down.
        if (result.ExitCode is 137 or 143 && !endedByUs() && await engineStopped().ConfigureAwait(false) is { } stopped)
        {
            throw stopped;
        }

        return result;
    }
}
