namespace ContainerTest.ContainerRuntime;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// Runs jobs of one template, each isolated as the pool's kind says (a container of its own, or a
/// fresh sandbox in a worker), with as much of the start-up as possible done ahead of need. The
/// jobs differ only in their input (<see cref="JobSpec.StandardInput"/>), handed in when a job's
/// turn comes: its time (and timeout) starts then. Disposing the pool removes everything it made.
/// </summary>
public interface IJobPool : IAsyncDisposable
{
    /// <summary>What isolates each job: <c>container</c>, <c>sandbox</c>… (for messages and results).</summary>
    string InstanceKind { get; }

    /// <summary>
    /// Runs one job with <paramref name="input"/> on its stdin to its end, as
    /// <see cref="IJobBackend.RunAsync"/> does: problems of the job come back in the result,
    /// problems of the environment are thrown.
    /// </summary>
    /// <exception cref="InvalidOperationException">More jobs were asked for than the pool was made for.</exception>
    Task<JobResult> RunAsync(ReadOnlyMemory<byte> input, IJobObserver? observer = null, CancellationToken cancellationToken = default);
}
