namespace ContainerTest.SandboxSupervisor;

using ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

/// <summary>Writes frames (see <see cref="WorkerFrame"/>) to the supervisor's stdout, one whole frame at a time.</summary>
internal sealed class FrameWriter(Stream stdout) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1);

    /// <summary>Writes <paramref name="payload"/> as frames of <paramref name="kind"/> (cut at <see cref="WorkerFrame.MaxPayload"/>).</summary>
    public async Task WriteAsync(byte kind, ReadOnlyMemory<byte> payload)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var header = new byte[WorkerFrame.HeaderLength];
            do
            {
                var part = payload[..Math.Min(payload.Length, WorkerFrame.MaxPayload)];
                WorkerFrame.WriteHeader(header, kind, part.Length);
                await stdout.WriteAsync(header).ConfigureAwait(false);
                await stdout.WriteAsync(part).ConfigureAwait(false);
                payload = payload[part.Length..];
            }
            while (!payload.IsEmpty);
            await stdout.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Writes one event.</summary>
    public Task WriteAsync(WorkerEvent workerEvent) => WriteAsync(WorkerFrame.Event, workerEvent.ToUtf8Json());

    /// <inheritdoc />
    public void Dispose() => gate.Dispose();
}
