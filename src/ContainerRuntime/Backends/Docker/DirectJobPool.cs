namespace ContainerTest.ContainerRuntime.Backends.Docker;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// A pool that makes nothing ahead: each job gets its container when its turn comes (the pool
/// switched off, or a network policy that leases a network to each job).
/// </summary>
internal sealed class DirectJobPool(IJobBackend backend, JobSpec template) : IJobPool
{
    /// <inheritdoc />
    public string InstanceKind => "container";

    /// <inheritdoc />
    public Task<JobResult> RunAsync(ReadOnlyMemory<byte> input, IJobObserver? observer = null, CancellationToken cancellationToken = default) =>
        backend.RunAsync(template with { StandardInput = input, JobId = "t" + Guid.NewGuid().ToString("N")[..11] }, observer, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
