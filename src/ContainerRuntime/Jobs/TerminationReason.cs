namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>Why a job's container stopped.</summary>
public enum TerminationReason
{
    /// <summary>The command ended by itself; see <see cref="JobResult.ExitCode"/>.</summary>
    Exited,

    /// <summary>It ran past <see cref="JobSpec.Timeout"/> and was killed; the output read until then is kept.</summary>
    TimedOut,

    /// <summary>
    /// The kernel killed it for using more memory than <see cref="ResourceLimits.MemoryBytes"/>. Only
    /// the job's own process counts: when the OOM killer picks a child and the job then ends by
    /// itself, the job has <see cref="Exited"/> (the child's "Killed" is in its output).
    /// </summary>
    OutOfMemory,

    /// <summary>The caller cancelled the job; its container was removed.</summary>
    Cancelled,

    /// <summary>The container could not be created or started; see <see cref="JobResult.FailureCause"/>.</summary>
    FailedToStart,

    /// <summary>
    /// What ran the job (a sandbox worker, a node) went away while the job ran; see
    /// <see cref="JobResult.FailureCause"/>. The output read until then is kept.
    /// </summary>
    WorkerLost,
}
