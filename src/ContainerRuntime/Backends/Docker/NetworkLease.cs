namespace ContainerTest.ContainerRuntime.Backends.Docker;

/// <summary>
/// A job's hold on its network for as long as the job runs. Disposing it (after the job's
/// container is removed) hands a network made for the job back for the next one.
/// </summary>
internal sealed class NetworkLease : IAsyncDisposable
{
    private Func<ValueTask>? release;

    public NetworkLease(NetworkAttachment attachment, Func<ValueTask>? release = null)
    {
        Attachment = attachment;
        this.release = release;
    }

    /// <summary>How the job's container joins the network.</summary>
    public NetworkAttachment Attachment { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Interlocked.Exchange(ref release, null)?.Invoke() ?? ValueTask.CompletedTask;
}
