namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// Hears about a job while it runs. Calls for one job come one at a time, in order; keep them
/// quick (they sit on the job's output path).
/// </summary>
public interface IJobObserver
{
    /// <summary>The job's container exists and its command is about to start.</summary>
    void OnStarted(string jobId, string instanceId);

    /// <summary>A chunk of output, as soon as it was read (also kept in the result, up to the limit).</summary>
    void OnOutput(string jobId, OutputChannel channel, ReadOnlySpan<byte> chunk);
}
