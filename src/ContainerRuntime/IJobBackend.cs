namespace ContainerTest.ContainerRuntime;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// Runs jobs, each in a fresh container (or VM) of its own that is removed when the job ends —
/// on every path: success, failure, timeout, cancellation.
/// </summary>
public interface IJobBackend : IAsyncDisposable
{
    /// <summary>A short name for messages (<c>docker</c>).</summary>
    string Name { get; }

    /// <summary>The id shared by every job this backend runs, carried as a label by each container.</summary>
    string RunId { get; }

    /// <summary>What this backend can do.</summary>
    BackendCapabilities Capabilities { get; }

    /// <summary>
    /// Runs one job to its end. Problems of the job itself (its command could not start, it timed
    /// out, ran out of memory, was cancelled) come back in the result; problems of the
    /// environment (engine unreachable, image missing, unsupported request) are thrown as
    /// <see cref="Errors.ContainerRuntimeException"/> subclasses.
    /// </summary>
    Task<JobResult> RunAsync(JobSpec spec, IJobObserver? observer = null, CancellationToken cancellationToken = default);
}
