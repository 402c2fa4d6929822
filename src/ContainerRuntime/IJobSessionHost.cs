namespace ContainerTest.ContainerRuntime;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>A backend that can run long-lived jobs one talks to while they run (see <see cref="IJobSession"/>).</summary>
public interface IJobSessionHost
{
    /// <summary>
    /// Starts <paramref name="spec"/> (its <see cref="JobSpec.StandardInput"/> and timeout do not
    /// apply) with its output going to <paramref name="observer"/> from the first byte. A job that
    /// could not start comes back as a session already completed with <see cref="TerminationReason.FailedToStart"/>.
    /// </summary>
    /// <exception cref="Errors.ContainerRuntimeException">The engine, the image or the request is at fault.</exception>
    Task<IJobSession> StartSessionAsync(JobSpec spec, IJobObserver observer, CancellationToken cancellationToken = default);
}
