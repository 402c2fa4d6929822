namespace ContainerTest.ContainerRuntime;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>Runs jobs tied to a person's terminal (a shell in a test's container or sandbox).</summary>
public interface IInteractiveJobs
{
    /// <summary>
    /// Runs <paramref name="spec"/> with a pseudo-terminal tied to <paramref name="terminal"/>
    /// (input, output, window size), labelled <c>io.containertest.kind=<paramref name="kind"/></c>.
    /// The job's timeout does not apply: it ends when its process exits or
    /// <paramref name="cancellationToken"/> fires; either way everything it used is removed.
    /// Output is not captured.
    /// </summary>
    /// <exception cref="Errors.ContainerRuntimeException">The engine, the image or the request is at fault.</exception>
    Task<JobResult> RunInteractiveAsync(JobSpec spec, IJobTerminal terminal, string kind, CancellationToken cancellationToken = default);
}
