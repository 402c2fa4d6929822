namespace ContainerTest.ContainerRuntime;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// A job that lives as long as its owner needs it and talks over its stdin while it runs (a
/// sandbox worker's supervisor): bytes can be written to its stdin at any time, its output goes
/// to the observer given when it started, and <see cref="Completion"/> ends when its process does.
/// Disposing it kills and removes it.
/// </summary>
public interface IJobSession : IAsyncDisposable
{
    /// <summary>The job's id.</summary>
    string JobId { get; }

    /// <summary>The backend's id of its container (or VM); null when it never started.</summary>
    string? InstanceId { get; }

    /// <summary>
    /// Ends when the job does, with its result (no timeout applies). Problems of the environment
    /// (the engine went away) end it with the backend's <see cref="Errors.ContainerRuntimeException"/>.
    /// </summary>
    Task<JobResult> Completion { get; }

    /// <summary>Writes to the job's stdin, which stays open. Writes are sent whole and in order.</summary>
    /// <exception cref="IOException">The job has ended.</exception>
    Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default);
}
