namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>Resource ceilings for one job. Null means no limit of that kind.</summary>
/// <param name="MemoryBytes">RAM the job's processes may use together; swap is not granted on top.</param>
/// <param name="Cpus">CPU time as a number of cores (1.5 = one and a half cores).</param>
/// <param name="Pids">How many processes and threads may exist at once.</param>
public sealed record ResourceLimits(long? MemoryBytes = null, double? Cpus = null, long? Pids = null)
{
    /// <summary>No limits.</summary>
    public static ResourceLimits None { get; } = new();
}
